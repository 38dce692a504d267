/**
 * Which pending wants a session may ask of which provider, and in what
 * order (one pump's view, at time `now`):
 *
 * - a block this provider announced may always be asked of it; one another
 *   provider said it has (ELSEWHERE) too, unless it announces: then it is
 *   asked once it announced the block (it is still receiving it);
 * - a peer announcing (within TRANSFER_HAVE_FRESH_MS) is fetching: asked
 *   blindly only when no seed is reachable and nobody announced the block
 *   (it may hold more than it announced);
 * - with no reachable peer announcing (nobody in this session is fetching),
 *   a seed is asked like any other provider: there is no swarm to spare it for;
 * - else a seed (served, never lacked, announces nothing) gets the blocks no
 *   reachable peer announced, once every polled peer lacks them or they
 *   waited TRANSFER_SEED_AFTER_MS, and not those a seed sent us ELSEWHERE
 *   for within TRANSFER_SUPERSEED_MS to a fetching peer that has not said
 *   it lacks them (it is receiving them: we wait for its announcement rather
 *   than make the seed send them twice): its upload goes to pieces nobody
 *   has yet;
 * - a peer announcing nothing (1.0.0, or not heard from yet) is polled, as
 *   in 1.0.0: asked anything it did not recently say it lacks.
 *
 * Among the blocks a provider may be asked for, the rarest (fewest peers
 * announced it) come first.
 */
import { TRANSFER_SEED_AFTER_MS, TRANSFER_SUPERSEED_MS } from '../constants.ts'
import { lacks, wasDeferred } from './want.ts'
import type { HaveMap } from './have-map.ts'
import type { Provider } from './provider.ts'
import type { Want } from './want.ts'

export interface AskPolicy {
  mayAsk(w: Want, p: Provider): boolean
  /** How many peers announced a block (absent without have-maps: queue order). */
  rarity?: (w: Want) => number
  /** Whether a provider is announcing (fetching). */
  announcing(p: Provider): boolean
}

export function askPolicy (reachable: Provider[], haves: HaveMap | undefined, now: number): AskPolicy {
  const announcing = (p: Provider): boolean => haves?.fetching(p.key, now) === true
  const reachableKeys = new Set(reachable.map(p => p.key))
  const seedReachable = reachable.some(p => !announcing(p) && p.seedLike())
  // no reachable peer is fetching (announcing): there is no swarm to keep a seed's upload for, and
  // a complete provider is asked like any other (a pull from three complete holders uses all three)
  const swarm = reachable.some(p => announcing(p))
  const polled = reachable.filter(p => !announcing(p) && !p.seedLike())
  const heldCache = new Map<Want, number>()
  /** Reachable peers that announced `w` and did not since say they lack it. */
  const heldBy = (w: Want): number => {
    let n = heldCache.get(w)
    if (n != null) return n
    n = 0
    for (const holder of haves?.holders(w.key) ?? []) if (reachableKeys.has(holder) && !lacks(w, holder, now)) n++
    heldCache.set(w, n)
    return n
  }
  /** A seed sent us to a fetching peer for `w` moments ago, and that peer has not said it lacks it. */
  const expected = (w: Want): boolean => w.hint != null && w.hintAt != null && now - w.hintAt < TRANSFER_SUPERSEED_MS &&
    reachableKeys.has(w.hint) && haves?.fetching(w.hint, now) === true && !lacks(w, w.hint, now)
  const mayAsk = (w: Want, p: Provider): boolean => {
    if (lacks(w, p.key, now) || wasDeferred(w, p.key, now)) return false
    if (haves?.has(p.key, w.key) === true) return true
    if (w.hint === p.key) return !announcing(p)
    const waited = now - w.createdAt >= TRANSFER_SEED_AFTER_MS
    if (announcing(p)) return waited && !seedReachable && heldBy(w) === 0
    if (p.seedLike()) return !swarm || (heldBy(w) === 0 && !expected(w) && (waited || polled.every(q => lacks(w, q.key, now))))
    return true
  }
  return { mayAsk, announcing, rarity: haves == null ? undefined : w => haves.holders(w.key).size }
}
