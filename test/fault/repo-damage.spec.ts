import { randomBytes } from 'node:crypto'
import { readdir, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createKit, repairRepo } from '../../src/index.ts'
import { run } from '../cli/helpers.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

describe('a damaged repository', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it('fails with RepoCorruptError saying how to repair when LevelDB CURRENT is damaged, and repair brings the pins back', async () => {
    const dir = await sandbox.dir()
    const kit = await createKit({ dataDir: dir, offline: true })
    const cid = await kit.storage.store(randomBytes(3 * 1024 * 1024), { pin: true, filename: 'w.bin' })
    await kit.stop()
    await writeFile(join(dir, 'datastore', 'CURRENT'), 'garbage')

    const failure = createKit({ dataDir: dir, offline: true })
    await expect(failure).rejects.toMatchObject({ name: 'RepoCorruptError', code: 'ERR_REPO_CORRUPT', dataDir: dir })
    await expect(failure).rejects.toHaveProperty('hint', expect.stringContaining('ipfs-kit repair'))

    // the CLI says the same in one line, exit 1, no stack trace, and does not loop
    const cli = await run(['status', '--data-dir', dir])
    expect(cli.code).toBe(1)
    expect(cli.stderr).toContain(`the datastore in ${dir} is damaged`)
    expect(cli.stderr).toContain('ipfs-kit repair')
    expect(cli.stderr).not.toMatch(/\n\s+at /)

    const repaired = await run(['repair', '--data-dir', dir])
    expect(repaired.code).toBe(0)
    const again = sandbox.track(await createKit({ dataDir: dir, offline: true }))
    expect((await again.storage.listFiles()).map(f => [f.cid, f.pinned, f.filename])).toEqual([[cid, true, 'w.bin']])
    expect((await again.storage.retrieve(cid))?.byteLength).toBe(3 * 1024 * 1024)
  }, 60_000)

  it('repairRepo refuses a directory without a datastore', async () => {
    await expect(repairRepo(await sandbox.dir())).rejects.toMatchObject({ name: 'RepoOpenError' })
  })

  it('`verify` exits 1 listing a truncated block; an offline --repair names the pin that stays incomplete', async () => {
    const dir = await sandbox.dir()
    const bytes = randomBytes(2 * 1024 * 1024 + 5)
    const source = join(dir, 'in.bin')
    await writeFile(source, bytes)
    const added = await run(['add', source, '--pin', '--data-dir', join(dir, 'repo'), '--offline', '--json'])
    const { cid } = JSON.parse(added.stdout)
    expect((await run(['verify', '--data-dir', join(dir, 'repo'), '--offline'])).code).toBe(0)

    const blocks = join(dir, 'repo', 'blocks')
    const shard = (await readdir(blocks))[0] as string
    const name = (await readdir(join(blocks, shard)))[0] as string
    await truncate(join(blocks, shard, name), 7)
    const bad = await run(['verify', '--data-dir', join(dir, 'repo'), '--offline', '--json'])
    expect(bad.code).toBe(1)
    const report = JSON.parse(bad.stdout)
    expect(report.corrupt).toHaveLength(1)
    expect(report.incompletePins).toEqual([cid])

    // offline repair cannot fetch: it says which pin stays incomplete
    const offlineRepair = await run(['verify', '--repair', '--data-dir', join(dir, 'repo'), '--offline'])
    expect(offlineRepair.code).toBe(1)
    expect(offlineRepair.stdout).toContain(`incomplete pin ${cid}`)
  }, 60_000)
})
