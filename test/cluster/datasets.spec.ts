/**
 * Datasets across real processes. A seed publishes; four workers pull their
 * rank's share and together hold the dataset byte for byte, each shard once.
 * A shard made corrupt on the seed is fetched from the worker that holds it;
 * a shard nobody else holds fails the pull naming it; bad shares and unknown
 * names fail fast. An elastic group loses a member and still completes. A
 * pull killed with SIGKILL half-way and run again fetches only what is
 * missing and lands the share byte for byte.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { blockKey } from '../../src/blocks/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Peer } from '../../peers/harness.ts'

const KiB = 1024
const MAIN = 'acme/shards'
const OTHER = 'acme/other'
const GROUP = 'acme/group'
const BIG = 'acme/big'
const MiB = 1024 * KiB
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** `count` files of 40–300 KiB (one raw block each) and one jsonl split at 64 KiB; path → sha256. */
async function dataset (dir: string, count: number, lines: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  await mkdir(join(dir, 'parts'), { recursive: true })
  for (let i = 0; i < count; i++) {
    const bytes = randomBytes(40 * KiB + Math.floor(Math.random() * 260 * KiB))
    const rel = `parts/part-${String(i).padStart(3, '0')}.bin`
    await writeFile(join(dir, rel), bytes)
    out.set(rel, sha(bytes))
  }
  if (lines) await writeFile(join(dir, 'text.jsonl'), Array.from({ length: 6000 }, (_, i) => JSON.stringify({ i, pad: 'y'.repeat(i % 50) })).join('\n') + '\n')
  return out
}

/** Eight 3 MiB files (each many blocks): big enough that a pull is still running when it is killed. */
async function bigDataset (dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (let i = 0; i < 8; i++) {
    const bytes = randomBytes(3 * MiB)
    await writeFile(join(dir, `big-${i}.bin`), bytes)
    out.set(`big-${i}.bin`, sha(bytes))
  }
  return out
}

/** Overwrite a block file in a peer's repo with random bytes of the same length. */
async function corrupt (peer: Peer, cid: string): Promise<void> {
  const key = blockKey(CID.parse(cid))
  const file = join(peer.dataDir, 'blocks', key.slice(-3, -1), `${key}.data`)
  await writeFile(file, randomBytes((await readFile(file)).byteLength))
}

describe('datasets across processes', () => {
  const sandbox = new Sandbox()
  const peers: Peer[] = []
  let seed: Peer
  let workers: Peer[]
  let dir: string
  let hashes: Map<string, string>
  let bigHashes: Map<string, string>
  const shares = new Map<number, { shards: string[], dest: string }>()

  beforeAll(async () => {
    dir = await sandbox.dir()
    hashes = await dataset(dir, 14, true)
    const other = await sandbox.dir()
    await dataset(other, 3, false)
    const group = await sandbox.dir()
    await dataset(group, 12, false)
    const big = await sandbox.dir()
    bigHashes = await bigDataset(big)
    seed = await startPeer()
    peers.push(seed)
    await seed.call('datasetPublish', { dir, name: MAIN, shardSize: 64 * KiB })
    await seed.call('datasetPublish', { dir: other, name: OTHER })
    await seed.call('datasetPublish', { dir: group, name: GROUP })
    await seed.call('datasetPublish', { dir: big, name: BIG })
    workers = []
    // one at a time: four node start-ups at once can exceed the harness's start timeout on a loaded 2-core machine
    for (let i = 0; i < 4; i++) {
      const w = await startPeer({ bootstrap: seed.addresses })
      peers.push(w)
      workers.push(w)
    }
    for (const w of workers) await waitForPeers(w, 1)
  }, 120_000)

  afterAll(async () => {
    await Promise.all(peers.map(async p => { await p.stop().catch(() => {}) }))
    await sandbox.cleanup()
  }, 60_000)

  it('four ranks pull disjoint shares whose union is the dataset, byte for byte', async () => {
    const plan = await seed.call('datasetPlan', { name: MAIN, rank: 0, world: 1 })
    const all = plan.shards.map(s => s.path).sort()
    expect(all.filter(p => p.startsWith('text.jsonl.shard-')).length).toBeGreaterThan(3)
    const results = await Promise.all(workers.map(async (w, rank) => {
      const dest = await sandbox.dir()
      const pulled = await w.call('datasetPull', { name: MAIN, rank, world: 4, dest, manifestTimeoutMs: 20_000 }, { timeoutMs: 60_000 })
      shares.set(rank, { shards: pulled.shards, dest })
      // the plan every process computes alone is what was pulled
      expect((await w.call('datasetPlan', { name: MAIN, rank, world: 4 })).shards.map(s => s.path)).toEqual(pulled.shards)
      return pulled
    }))
    expect(new Set(results.map(r => r.root)).size).toBe(1)
    const union = results.flatMap(r => r.shards).sort()
    expect(union).toEqual(all)
    expect(new Set(union).size).toBe(union.length)
    for (const r of results) expect(r.shards.length).toBeGreaterThan(0)
    // byte for byte: whole files by hash, the split file by concatenating its shards in order
    let text = Buffer.alloc(0)
    for (const path of all) {
      const owner = [...shares.values()].find(s => s.shards.includes(path))
      const bytes = await readFile(join(owner?.dest as string, path))
      if (path.startsWith('text.jsonl.shard-')) text = Buffer.concat([text, bytes])
      else expect(sha(bytes), path).toBe(hashes.get(path))
    }
    expect(sha(text)).toBe(sha(await readFile(join(dir, 'text.jsonl'))))
  }, 90_000)

  it('fetches a shard corrupt on the seed from the worker that holds it; a shard nobody else holds fails the pull naming it', async () => {
    const plan = await seed.call('datasetPlan', { name: MAIN, rank: 0, world: 4 })
    const victim = plan.shards.find(s => s.path.startsWith('parts/')) as { path: string, cid: string }
    await corrupt(seed, victim.cid)
    const late = await startPeer({ bootstrap: seed.addresses })
    peers.push(late)
    await waitForPeers(late, 1)
    const dest = await sandbox.dir()
    const pulled = await late.call('datasetPull', { name: MAIN, rank: 0, world: 1, dest, blockTimeoutMs: 5000, manifestTimeoutMs: 20_000 }, { timeoutMs: 60_000 })
    expect(pulled.shards).toContain(victim.path)
    expect(sha(await readFile(join(dest, victim.path)))).toBe(hashes.get(victim.path))

    // OTHER was published by the seed alone: one of its shards corrupt there is held by nobody
    const other = await seed.call('datasetPlan', { name: OTHER, rank: 0, world: 1 })
    const lost = other.shards[1] as { path: string, cid: string }
    await corrupt(seed, lost.cid)
    const otherDest = await sandbox.dir()
    const failed = late.call('datasetPull', { name: OTHER, rank: 0, world: 1, dest: otherDest, blockTimeoutMs: 2000, manifestTimeoutMs: 20_000 }, { timeoutMs: 60_000 })
    await expect(failed).rejects.toMatchObject({ name: 'DatasetPullError', message: expect.stringContaining(lost.path) })
    await expect(failed).rejects.toMatchObject({ message: expect.not.stringContaining((other.shards[0] as { path: string }).path) })
    // the others landed
    expect(sha(await readFile(join(otherDest, (other.shards[0] as { path: string }).path)))).toMatch(/^[0-9a-f]{64}$/)
  }, 90_000)

  it('refuses bad shares and unknown names at once', async () => {
    const w = workers[0] as Peer
    await expect(w.call('datasetPull', { name: MAIN, rank: 4, world: 4 })).rejects.toMatchObject({ name: 'InvalidShareError' })
    await expect(w.call('datasetPull', { name: MAIN, rank: 0, world: 0 })).rejects.toMatchObject({ name: 'InvalidShareError' })
    await expect(w.call('datasetPull', { name: MAIN, rank: 0, world: 2, group: 'g' })).rejects.toMatchObject({ name: 'InvalidShareError' })
    const t0 = Date.now()
    await expect(w.call('datasetPull', { name: 'acme/no-such-dataset', rank: 0, world: 1, findTimeoutMs: 1500 })).rejects.toMatchObject({ name: 'DatasetNotFoundError' })
    expect(Date.now() - t0).toBeLessThan(20_000)
  }, 60_000)

  it('an elastic group that loses a member mid-pull still completes the dataset', async () => {
    const plan = await seed.call('datasetPlan', { name: GROUP, rank: 0, world: 1 })
    const victim = workers[3] as Peer
    let killed: Promise<void> | undefined
    const pulls = workers.map(async (w, i) => await w.call('datasetPull', { name: GROUP, group: 'g1', memberGraceMs: 3000, manifestTimeoutMs: 20_000, progress: i === 3 }, {
      timeoutMs: 60_000,
      // killed as it starts pulling its share of the first plan (over all four members)
      onProgress: (type, detail) => { if (type === 'datasets:group:members' && detail.members.length === 4) killed ??= victim.kill() }
    }))
    await expect(pulls[3]).rejects.toBeDefined()
    await killed
    const done = await Promise.all(pulls.slice(0, 3))
    for (const r of done) expect(r.members).toHaveLength(3)
    expect([...new Set(done.flatMap(r => r.shards))].sort()).toEqual(plan.shards.map(s => s.path).sort())
  }, 90_000)

  it('a pull killed with SIGKILL half-way and run again fetches only what is missing, byte for byte', async () => {
    const dataDir = await sandbox.dir()
    const dest = await sandbox.dir()
    const first = await startPeer({ dataDir, bootstrap: seed.addresses })
    peers.push(first)
    await waitForPeers(first, 1)
    let killed: Promise<void> | undefined
    let doneAtKill = 0
    const pull = first.call('datasetPull', { name: BIG, rank: 0, world: 1, dest, manifestTimeoutMs: 20_000, progress: true }, {
      timeoutMs: 60_000,
      onProgress: (type, detail) => {
        if (type === 'datasets:pull:progress' && detail.bytesDone >= 3 * MiB && killed == null) {
          doneAtKill = detail.bytesDone
          killed = first.kill()
        }
      }
    })
    await expect(pull).rejects.toBeDefined()
    await killed
    expect(doneAtKill).toBeGreaterThanOrEqual(3 * MiB)
    const again = await startPeer({ dataDir, bootstrap: seed.addresses })
    peers.push(again)
    await waitForPeers(again, 1)
    // the seed may still hold a connection to the killed process (same peer id): its sends there time out first
    const result = await again.call('datasetPull', { name: BIG, rank: 0, world: 1, dest, blockTimeoutMs: 30_000, manifestTimeoutMs: 20_000 }, { timeoutMs: 90_000 })
    expect(result.bytes).toBe(24 * MiB)
    // blocks that landed before the kill are not fetched again
    expect(result.fetchedBytes).toBeGreaterThan(0)
    expect(result.fetchedBytes).toBeLessThanOrEqual(result.bytes - 2 * MiB)
    for (const [path, hash] of bigHashes) expect(sha(await readFile(join(dest, path))), path).toBe(hash)
  }, 120_000)
})
