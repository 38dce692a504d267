/**
 * One node: publish splits line-based files at line boundaries with record
 * counts and re-imports only what changed; stream yields every record of a
 * rank's share once, in a per-epoch shuffled shard order, and resumes from
 * `state()` with nothing repeated or skipped.
 */
import { readFile, utimes, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit, StreamState } from '../../src/index.ts'

const NAME = 'acme/corpus'

async function corpus (sandbox: Sandbox): Promise<{ dir: string, lines: string[] }> {
  const dir = await sandbox.dir()
  await mkdir(join(dir, 'train'), { recursive: true })
  // 3000 records of varying length (~80 KiB): split at 8 KiB into ~10 shards
  const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, text: 'x'.repeat(i % 37) }))
  await writeFile(join(dir, 'train/data.jsonl'), lines.join('\n') + '\n')
  await writeFile(join(dir, 'README.md'), '# corpus\n')
  await writeFile(join(dir, 'small.csv'), 'a,b\n1,2\n3,4')
  return { dir, lines }
}

async function all (kit: Kit, options: Parameters<Kit['datasets']['stream']>[1]): Promise<string[]> {
  const out: string[] = []
  for await (const item of kit.datasets.stream(NAME, options)) if (item.record != null) out.push(item.record)
  return out
}

describe('datasets on one node', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it('splits line-based files at line boundaries, counts records, and re-imports only changed files', async () => {
    const { dir, lines } = await corpus(sandbox)
    const kit = await sandbox.kit()
    const published = await kit.datasets.publish(dir, { name: NAME, shardSize: 8192 })
    expect(published.storedFiles).toBe(3)
    const plan = await kit.datasets.plan(NAME, { rank: 0, world: 1 })
    expect(plan.root).toBe(published.root)
    const shards = plan.shards.filter(s => s.path.startsWith('train/data.jsonl.shard-'))
    expect(shards.length).toBeGreaterThanOrEqual(9)
    expect(shards.map(s => s.path)).toEqual(shards.map((_, i) => `train/data.jsonl.shard-${String(i).padStart(5, '0')}`))
    expect(shards.reduce((n, s) => n + (s.records ?? 0), 0)).toBe(lines.length)
    // a record is never split: every shard but the last is at least shardSize and ends a line just past it
    let text = ''
    for (const s of shards) {
      const bytes = await readAll(kit, s.cid)
      expect(bytes.endsWith('\n')).toBe(true)
      if (s !== shards.at(-1)) expect(s.size).toBeGreaterThanOrEqual(8192)
      expect(s.size).toBeLessThan(8192 + 200)
      expect(bytes.split('\n').length - 1).toBe(s.records)
      text += bytes
    }
    expect(text).toBe(await readFile(join(dir, 'train/data.jsonl'), 'utf8'))
    expect(plan.shards.find(s => s.path === 'small.csv')).toMatchObject({ records: 3 })
    expect(plan.shards.find(s => s.path === 'README.md')?.records).toBeUndefined()

    // unchanged: same root, nothing imported; one file touched: only it
    expect(await kit.datasets.publish(dir, { name: NAME, shardSize: 8192 })).toMatchObject({ root: published.root, storedFiles: 0 })
    await writeFile(join(dir, 'small.csv'), 'a,b\n5,6\n')
    const again = await kit.datasets.publish(dir, { name: NAME, shardSize: 8192 })
    expect(again).toMatchObject({ storedFiles: 1, reusedFiles: 2 })
    expect(again.root).not.toBe(published.root)
    // another shard size re-splits the big file
    const now = new Date()
    await utimes(join(dir, 'README.md'), now, now)
    expect((await kit.datasets.publish(dir, { name: NAME, shardSize: 16384 })).storedFiles).toBe(2)
  })

  it('streams every record of the shares once, shuffled per epoch, and resumes from state() exactly', async () => {
    const { dir, lines } = await corpus(sandbox)
    const kit = await sandbox.kit()
    await kit.datasets.publish(dir, { name: NAME, shardSize: 8192 })
    const expected = [...lines, 'a,b', '1,2', '3,4'].sort()

    // two ranks together: every record exactly once
    const r0 = await all(kit, { rank: 0, world: 2, epoch: 0, seed: 7 })
    const r1 = await all(kit, { rank: 1, world: 2, epoch: 0, seed: 7 })
    expect([...r0, ...r1].sort()).toEqual(expected)
    // another epoch: the same records, the shards in another order; the same epoch: the same order
    const e1 = await all(kit, { rank: 0, world: 1, epoch: 1, seed: 7 })
    const e2 = await all(kit, { rank: 0, world: 1, epoch: 2, seed: 7 })
    expect([...e1].sort()).toEqual(expected)
    expect(e1).not.toEqual(e2)
    expect(await all(kit, { rank: 0, world: 1, epoch: 1, seed: 7 })).toEqual(e1)

    // stop after 1234 records (mid-shard), resume from the JSON state: the rest, in order
    const stream = kit.datasets.stream(NAME, { rank: 0, world: 1, epoch: 1, seed: 7 })
    const first: string[] = []
    let state: StreamState | undefined
    for await (const item of stream) {
      if (item.record != null) first.push(item.record)
      if (first.length === 1234) {
        state = JSON.parse(JSON.stringify(stream.state()))
        break
      }
    }
    const rest = await all(kit, { rank: 0, world: 1, epoch: 1, seed: 7, state })
    expect([...first, ...rest]).toEqual(e1)
    // a state taken at a shard's last record resumes at the next shard's first
    const s2 = kit.datasets.stream(NAME, { rank: 0, world: 1, epoch: 1, seed: 7 })
    let atEnd: StreamState | undefined
    let seen = 0
    for await (const _ of s2) {
      seen++
      const st = s2.state()
      if (st.shard === 1) break
      atEnd = st
    }
    const after = await all(kit, { rank: 0, world: 1, epoch: 1, seed: 7, state: atEnd })
    expect(after).toEqual(e1.slice(seen - 1))
    // a state from another stream is refused
    await expect(all(kit, { rank: 0, world: 2, epoch: 1, seed: 7, state })).rejects.toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
  })

  it('keeps at most max_bytes of the shards it pinned, unpinning consumed ones first', async () => {
    const { dir } = await corpus(sandbox)
    const kit = await sandbox.kit()
    const { root } = await kit.datasets.publish(dir, { name: NAME, shardSize: 8192 })
    const plan = await kit.datasets.plan(NAME, { rank: 0, world: 1 })
    const sizes = new Map(plan.shards.map(s => [s.cid, s.size]))
    const pinnedShards = async (): Promise<string[]> => {
      const out: string[] = []
      for await (const pin of kit.storage.pins()) if (sizes.has(pin.cid)) out.push(pin.cid)
      return out
    }
    const pinnedBytes = async (): Promise<number> => (await pinnedShards()).reduce((n, cid) => n + (sizes.get(cid) as number), 0)
    const largest = Math.max(...sizes.values())
    // a budget of about two shards: while reading, what stays pinned is within it plus the shard being read and the one prefetched
    const budget = 2 * 8300
    const stream = kit.datasets.stream(NAME, { rank: 0, world: 1, maxBytes: budget, prefetch: 1 })
    let most = 0
    let shardsSeen = 0
    let last = ''
    for await (const item of stream) {
      if (item.path !== last) {
        shardsSeen++
        last = item.path
        most = Math.max(most, await pinnedBytes())
      }
    }
    expect(shardsSeen).toBe(plan.shards.length)
    expect(most).toBeLessThanOrEqual(budget + 2 * largest)
    expect(most).toBeGreaterThan(0)
    expect(await pinnedBytes()).toBeLessThanOrEqual(budget)
    // the dataset itself is untouched: the publisher's manifest pin still holds every shard
    const roots: string[] = []
    for await (const pin of kit.storage.pins()) roots.push(pin.cid)
    expect(roots).toContain(root)
    // without a budget every shard it read stays pinned
    for await (const _ of kit.datasets.stream(NAME, { rank: 0, world: 1, maxBytes: 0 })) { /* read all */ }
    expect((await pinnedShards()).length).toBe(plan.shards.length)
  })
})

async function readAll (kit: Kit, cid: string): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of kit.storage.stream(cid)) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8')
}

