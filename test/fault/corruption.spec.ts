import { createHash, randomBytes } from 'node:crypto'
import { cp, readdir, readFile, rename, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { keyToCid } from '../../src/blocks/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Peer } from '../../peers/harness.ts'

const MiB = 1024 * 1024
const DAMAGED = 20

/** Every block file of a repo: shard/name. */
async function blockFiles (dataDir: string): Promise<string[]> {
  const out: string[] = []
  const blocks = join(dataDir, 'blocks')
  for (const shard of await readdir(blocks)) {
    if (shard.startsWith('.')) continue // the temp file of the next staged chunk
    for (const name of await readdir(join(blocks, shard))) if (name.endsWith('.data')) out.push(join(blocks, shard, name))
  }
  return out.sort()
}

const cidOfFile = (file: string): string => keyToCid(file.slice(file.lastIndexOf('/') + 1, -'.data'.length)).toString()
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Damage `count` distinct block files in four ways; returns the CIDs (multihash form) of every block made corrupt. */
async function damage (files: string[], count: number): Promise<Set<string>> {
  const pool = [...files].sort(() => Math.random() - 0.5)
  const damaged = new Set<string>()
  while (damaged.size < count) {
    // junk, empty, half, swapped — a swap damages two files, so it only fits when two remain
    const kind = damaged.size % 4 === 3 && damaged.size + 2 > count ? 0 : damaged.size % 4
    const file = pool.pop() as string
    if (kind === 0) {
      await writeFile(file, randomBytes((await readFile(file)).byteLength))
    } else if (kind === 1) {
      await truncate(file, 0)
    } else if (kind === 2) {
      await truncate(file, Math.floor((await readFile(file)).byteLength / 2))
    } else {
      const other = pool.pop() as string
      await rename(file, file + '.swap')
      await rename(other, file)
      await rename(file + '.swap', other)
      damaged.add(cidOfFile(other))
    }
    damaged.add(cidOfFile(file))
  }
  return damaged
}

describe('corrupted and truncated block files', () => {
  const sandbox = new Sandbox()
  const peers: Peer[] = []
  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async p => { await p.stop() }))
    await sandbox.cleanup()
  })

  it('never returns wrong bytes, verify lists exactly the damaged blocks, and repair from a peer restores them', async () => {
    const work = await sandbox.dir()
    const inputs = new Map<string, string>() // path → sha256
    for (let i = 0; i < 6; i++) {
      const path = join(work, `shard-${i}.bin`)
      const bytes = randomBytes(4 * MiB + i * 1000)
      await writeFile(path, bytes)
      inputs.set(path, sha(bytes))
    }
    const repo = join(work, 'repo')
    let kit = await sandbox.kit({ dataDir: repo })
    const cids = new Map<string, string>() // cid → sha256
    for (const [path, hash] of inputs) cids.set(await kit.storage.store({ path }, { pin: true }), hash)
    await kit.stop()

    const damaged = await damage(await blockFiles(repo), DAMAGED)
    expect(damaged.size).toBe(DAMAGED)

    // reads on a copy of the damaged repo: the right bytes or nothing, never wrong ones
    const copy = join(work, 'copy')
    await cp(repo, copy, { recursive: true })
    const reader = await sandbox.kit({ dataDir: copy })
    for (const [cid, hash] of cids) {
      const bytes = await reader.storage.retrieve(cid)
      if (bytes != null) expect(sha(bytes)).toBe(hash)
    }
    await reader.stop()

    kit = await sandbox.kit({ dataDir: repo })
    const report = await kit.storage.verify()
    expect(new Set(report.corrupt)).toEqual(damaged)
    expect(report.missing).toEqual([])
    expect(report.incompletePins.length).toBeGreaterThan(0)
    expect((await kit.storage.status()).repo.quarantined).toBe(DAMAGED)
    await expect(kit.storage.gc()).rejects.toMatchObject({ name: 'DamagedPinsError' })
    await kit.stop()

    // a second node that holds the same data; this node repairs from it
    const holder = await startPeer()
    peers.push(holder)
    for (const path of inputs.keys()) await holder.call('store', { path, pin: true })
    kit = await sandbox.kit({ dataDir: repo, offline: false, bootstrap: holder.addresses })
    await waitForPeers(holder, 1)
    const repair = await kit.storage.verify({ repair: true })
    expect(repair.incompletePins).toEqual([])
    expect(new Set(repair.repaired)).toEqual(damaged)
    for (const [cid, hash] of cids) expect(sha(await kit.storage.retrieve(cid) as Uint8Array)).toBe(hash)
    const after = await kit.storage.verify()
    expect(after).toMatchObject({ corrupt: [], missing: [], incompletePins: [] })
  }, 180_000)

  it('says which pins stay incomplete when no peer holds the data', async () => {
    const kit = await sandbox.kit({ offline: false })
    const a = await kit.storage.store(randomBytes(3 * MiB), { pin: true })
    const b = await kit.storage.store(randomBytes(2 * MiB), { pin: true })
    const files = await blockFiles(kit.dataDir)
    const leafOfA = files.find(f => cidOfFile(f) !== a && !cidOfFile(f).startsWith('bafy')) as string
    await truncate(leafOfA, 10)
    const report = await kit.storage.verify({ repair: true, fetchTimeoutMs: 500 })
    expect(report.corrupt).toEqual([cidOfFile(leafOfA)])
    expect(report.repaired).toEqual([])
    expect(report.incompletePins.length).toBe(1)
    expect([a, b]).toContain(report.incompletePins[0])
  }, 60_000)
})
