/**
 * The plan is a pure function of the shard list: disjoint, complete,
 * balanced by bytes, stable when the world grows or shrinks by one — checked
 * over random shard sizes (a seeded generator, so a failure reproduces).
 */
import { describe, expect, it } from 'vitest'
import { DATASETS_BALANCE } from '../../src/constants.ts'
import { assignShards, planRank, rankKeys } from '../../src/datasets/index.ts'
import { parseShare } from '../../src/datasets/index.ts'

function rng (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const owners = (plan: Map<string, Array<{ path: string }>>): Map<string, string> => {
  const out = new Map<string, string>()
  for (const [member, shards] of plan) for (const s of shards) out.set(s.path, member)
  return out
}
const bytes = (shards: Array<{ size: number }>): number => shards.reduce((n, s) => n + s.size, 0)

describe('dataset plan', () => {
  it('is disjoint, complete, balanced and stable over random shard sizes', () => {
    const random = rng(14)
    let kept = 0
    let ideal = 0
    for (let trial = 0; trial < 150; trial++) {
      const n = 8 + Math.floor(random() * 250)
      const skew = random() < 0.5 ? 1 : 3
      const shards = Array.from({ length: n }, (_, i) => ({ path: `part-${trial}-${i}.parquet`, size: 1 + Math.floor(random() ** skew * 64e6) }))
      const world = 1 + Math.floor(random() * 16)
      const plan = assignShards(shards, rankKeys(world))
      // disjoint and complete: every shard exactly once
      const all = [...plan.values()].flat().map(s => s.path).sort()
      expect(all).toEqual(shards.map(s => s.path).sort())
      expect(new Set(all).size).toBe(n)
      // deterministic, whatever order the manifest lists the shards in
      expect(assignShards([...shards].reverse(), rankKeys(world))).toEqual(plan)
      // balanced wherever no shard exceeds a quarter of the mean share
      const mean = bytes(shards) / world
      if (Math.max(...shards.map(s => s.size)) <= mean / 4) {
        expect(Math.max(...[...plan.values()].map(bytes)) / mean).toBeLessThanOrEqual(DATASETS_BALANCE)
      }
      // stable: most shards keep their rank when one rank joins (and, read backwards, leaves)
      const grown = owners(assignShards(shards, rankKeys(world + 1)))
      const before = owners(plan)
      const same = [...before].filter(([path, member]) => grown.get(path) === member).length
      kept += same / n
      ideal += world / (world + 1)
      expect(same / n).toBeGreaterThanOrEqual(0.5 * world / (world + 1))
    }
    // on average close to what plain rendezvous hashing keeps (world / (world + 1))
    expect(kept / ideal).toBeGreaterThan(0.85)
  })

  it('never depends on anything but the shards and the world: rank i of world n is the same everywhere', () => {
    const shards = Array.from({ length: 64 }, (_, i) => ({ path: `s/${i}.tar`, size: 4 * 1024 * 1024 }))
    const shares = rankKeys(8).map((_, rank) => planRank(shards, rank, 8))
    expect(shares.flat().map(s => s.path).sort()).toEqual(shards.map(s => s.path).sort())
    expect(Math.max(...shares.map(bytes))).toBeLessThanOrEqual(1.25 * bytes(shards) / 8)
    expect(planRank(shards, 3, 8)).toEqual(shares[3])
    // more ranks than shards: some get nothing, none gets two
    const sparse = rankKeys(10).map((_, rank) => planRank(shards.slice(0, 4), rank, 10))
    expect(sparse.filter(s => s.length === 1)).toHaveLength(4)
    expect(sparse.filter(s => s.length > 1)).toHaveLength(0)
  })

  it('refuses shares that make no sense, each with a one-line error', () => {
    expect(() => parseShare({ rank: 4, world: 4 })).toThrow(expect.objectContaining({ name: 'InvalidShareError', message: expect.stringContaining('rank 4 is not below world 4') }))
    expect(() => parseShare({ rank: 0, world: 0 })).toThrow(expect.objectContaining({ name: 'InvalidShareError', message: expect.stringContaining('world must be an integer >= 1') }))
    expect(() => parseShare({ rank: 1.5, world: 4 })).toThrow(expect.objectContaining({ name: 'InvalidShareError' }))
    expect(() => parseShare({ rank: 0, world: 2, group: 'g' })).toThrow(expect.objectContaining({ name: 'InvalidShareError', message: expect.stringContaining('not both') }))
    expect(() => parseShare({})).toThrow(expect.objectContaining({ name: 'InvalidShareError' }))
    expect(parseShare({ group: 'train-1' })).toEqual({ mode: 'group', group: 'train-1' })
  })
})
