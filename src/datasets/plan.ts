/**
 * Which shards a member of a dataset job gets: a pure function of the
 * manifest's shard list and the member keys (`'0'…'world-1'` for
 * rank/world, peer ids for a group), so every process computes the same plan
 * with no coordination.
 *
 * Rendezvous (highest-random-weight) hashing with bounded loads: each shard
 * ranks the members by a hash of (shard path, member key) and goes to the
 * first one; a member whose load then exceeds PLAN_LOAD_CAP × the mean share
 * sheds its most loosely attached shards (lowest score) to each one's next
 * member with room, or else to the least loaded member (with no shard over a quarter
 * of the mean, that keeps the largest share within 1.25× the mean). A shard's
 * preferred member does not depend on the others, so when one member joins or
 * leaves, mostly the shards that preferred it move.
 */
import { createHash } from 'node:crypto'
import { DATASETS_PLAN_LOAD_CAP as PLAN_LOAD_CAP } from '../constants.ts'

export interface Sized {
  path: string
  size: number
}

/** The member each shard goes to, member key → its shards (in manifest path order). Every key is present, possibly with no shard. */
export function assignShards<T extends Sized> (shards: readonly T[], members: readonly string[]): Map<string, T[]> {
  const out = new Map<string, T[]>(members.map(m => [m, []]))
  if (members.length === 0) return out
  const total = shards.reduce((n, s) => n + s.size, 0)
  const cap = PLAN_LOAD_CAP * total / members.length
  const memberHashes = members.map(m => hash32(`m\n${m}`))
  // each shard's members, most preferred first, with its score at each
  const prefs = shards.map(shard => {
    const h = hash32(`s\n${shard.path}`)
    const ranked = members.map((m, i) => ({ m, score: mix32(h ^ (memberHashes[i] as number)) }))
      .sort((a, b) => b.score - a.score || (a.m < b.m ? -1 : 1))
    return { shard, ranked, at: 0 }
  })
  const load = new Map<string, number>(members.map(m => [m, 0]))
  const held = new Map<string, typeof prefs>(members.map(m => [m, []]))
  const place = (p: (typeof prefs)[number], m: string): void => {
    load.set(m, (load.get(m) as number) + p.shard.size)
    held.get(m)?.push(p)
  }
  // 1. every shard to its most preferred member (plain rendezvous hashing)
  for (const p of prefs) place(p, (p.ranked[0] as { m: string }).m)
  // 2. members over the cap shed their most loosely attached shards (lowest score) to the next member in
  // each shard's order that has room, else to the least loaded member; only overloaded members change
  // (a member can receive a fallback shard after its turn: a few passes settle it)
  for (let pass = 0; pass < 4 && [...load.values()].some(l => l > cap); pass++) {
    for (const m of [...members].sort()) shed(m)
  }
  for (const [m, list] of held) out.set(m, list.map(p => p.shard).sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return out

  function shed (m: string): void {
    const mine = held.get(m) as typeof prefs
    mine.sort((a, b) => (a.ranked[a.at] as { score: number }).score - (b.ranked[b.at] as { score: number }).score || b.shard.size - a.shard.size || (a.shard.path < b.shard.path ? -1 : 1))
    while ((load.get(m) as number) > cap && mine.length > 1) {
      const p = mine.shift() as (typeof prefs)[number]
      load.set(m, (load.get(m) as number) - p.shard.size)
      let next = p.ranked.findIndex((r, i) => i > p.at && r.m !== m && (load.get(r.m) as number) + p.shard.size <= cap)
      if (next === -1) next = p.ranked.reduce((best, r, i) => r.m !== m && (best === -1 || (load.get(r.m) as number) < (load.get((p.ranked[best] as { m: string }).m) as number)) ? i : best, -1)
      p.at = next
      place(p, (p.ranked[next] as { m: string }).m)
    }
  }
}

/** The member keys of rank/world: `'0'`, `'1'`, … */
export function rankKeys (world: number): string[] {
  return Array.from({ length: world }, (_, i) => String(i))
}

/** The shards of `rank` among `world`. */
export function planRank<T extends Sized> (shards: readonly T[], rank: number, world: number): T[] {
  return assignShards(shards, rankKeys(world)).get(String(rank)) ?? []
}

function hash32 (text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0)
}

/** A 32-bit finaliser (murmur3's): spreads the xor of two hashes over all bits. */
function mix32 (x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x >>> 0
}
