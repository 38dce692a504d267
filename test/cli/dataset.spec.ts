/**
 * `ipfs-kit dataset …` through a running daemon (the control channel, as
 * `model` commands go): publish with --shard-size, plan --json, pull a rank's
 * share to -o, ls, and one-line errors for bad shares.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { cleanup, run, runJson, startDaemon, tempDir } from './helpers.ts'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0']

describe('ipfs-kit dataset through a daemon', () => {
  afterEach(cleanup)
  afterAll(cleanup)

  it('publishes, plans, pulls a share to -o and lists it; refuses a rank outside the world in one line', async () => {
    const dir = await tempDir()
    const repo = path.join(dir, 'repo')
    const data = path.join(dir, 'data')
    await fs.mkdir(path.join(data, 'img'), { recursive: true })
    const text = Array.from({ length: 2000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n'
    await fs.writeFile(path.join(data, 'train.jsonl'), text)
    await fs.writeFile(path.join(data, 'img/a.bin'), Buffer.alloc(5000, 1))
    const daemon = await startDaemon(repo, LOOPBACK)

    const published = await runJson(['dataset', 'publish', data, '--name', 'acme/cli-set', '--shard-size', '4KiB', '--data-dir', repo])
    expect(published).toMatchObject({ name: 'acme/cli-set', revision: 'main', storedFiles: 2 })
    expect(published.shards).toBeGreaterThan(4)

    const plan = await runJson(['dataset', 'plan', 'acme/cli-set', '--rank', '1', '--world', '2', '--json', '--data-dir', repo])
    expect(plan).toMatchObject({ name: 'acme/cli-set', revision: 'main', root: published.root, rank: 1, world: 2 })
    expect(plan.shards.length).toBeGreaterThan(0)
    expect(plan.shards.length).toBeLessThan(published.shards)
    expect(plan.bytes).toBe(plan.shards.reduce((n: number, s: { size: number }) => n + s.size, 0))

    const out = path.join(dir, 'out')
    const pulled = await runJson(['dataset', 'pull', 'acme/cli-set', '--rank', '1', '--world', '2', '-o', out, '--data-dir', repo])
    expect(pulled.shards).toEqual(plan.shards.map((s: { path: string }) => s.path))
    for (const s of plan.shards) expect((await fs.stat(path.join(out, s.path))).size).toBe(s.size)

    const ls = await runJson(['dataset', 'ls', '--data-dir', repo])
    expect(ls).toMatchObject([{ name: 'acme/cli-set', root: published.root, origin: 'published' }])

    const bad = await run(['dataset', 'pull', 'acme/cli-set', '--rank', '2', '--world', '2', '--data-dir', repo])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/rank 2 is not below world 2/)
    expect(bad.stderr.trim().split('\n')[0]).toMatch(/InvalidShareError|invalid dataset share/)
    await daemon.stop()
  }, 90_000)
})
