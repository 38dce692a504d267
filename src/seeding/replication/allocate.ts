/**
 * Where a root's replicas go and how many there are. Allocation spreads holders
 * across the values of each `node.tags` key (IPFS Cluster's balanced allocator:
 * a second replica in zone b before a third in zone a), by free space within
 * that. How many: a hot root (a holder's score reaches SEEDING_HOT_SCORE) is
 * kept on `max` holders, a cold one (every score below SEEDING_COLD_SCORE) is
 * lowered toward `min`, and between the two the count stays where it is.
 */
import { SEEDING_COLD_SCORE, SEEDING_HOT_SCORE } from '../../constants.ts'

export interface Candidate {
  peerId: string
  /** Free bytes it said it has. */
  free: number
  tags: Readonly<Record<string, string>>
}

/** How many holders `tag`'s value of `c` shares with `others`, summed over c's tags. */
function overlap (c: Candidate, others: readonly Candidate[]): number {
  let n = 0
  for (const [key, value] of Object.entries(c.tags)) {
    for (const o of others) if (o.tags[key] === value) n++
  }
  return n
}

/**
 * Pick `count` of `candidates` to hold a root beside `holders`: one at a time, the candidate that
 * shares fewest tag values with the holders and the picks so far, then the most free space, then
 * the lowest peer id (so every member computes the same picks).
 */
export function allocate (candidates: readonly Candidate[], holders: readonly Candidate[], count: number): Candidate[] {
  const chosen: Candidate[] = []
  const left = [...candidates]
  while (chosen.length < count && left.length > 0) {
    const placed = [...holders, ...chosen]
    left.sort((a, b) => overlap(a, placed) - overlap(b, placed) || b.free - a.free || a.peerId.localeCompare(b.peerId))
    chosen.push(left.shift() as Candidate)
  }
  return chosen
}

/**
 * Which `count` of `holders` to ask to drop (never one in `keep`): one at a time, the holder
 * sharing most tag values with the rest, then the least free space.
 */
export function chooseDrops (holders: readonly Candidate[], keep: ReadonlySet<string>, count: number): Candidate[] {
  const drops: Candidate[] = []
  let rest = [...holders]
  while (drops.length < count) {
    const droppable = rest.filter(h => !keep.has(h.peerId))
    if (droppable.length === 0) break
    droppable.sort((a, b) => overlap(b, rest.filter(h => h !== b)) - overlap(a, rest.filter(h => h !== a)) || a.free - b.free || a.peerId.localeCompare(b.peerId))
    const drop = droppable[0] as Candidate
    drops.push(drop)
    rest = rest.filter(h => h !== drop)
  }
  return drops
}

/**
 * The holders a root should have now: `max` when hot (its highest score on any holder reaches
 * SEEDING_HOT_SCORE), `min` when cold (below SEEDING_COLD_SCORE), else `current` within min..max.
 */
export function targetHolders (spec: { min: number, max: number }, current: number, score: number): number {
  if (score >= SEEDING_HOT_SCORE) return spec.max
  if (score < SEEDING_COLD_SCORE) return spec.min
  return Math.min(spec.max, Math.max(spec.min, current))
}
