/**
 * Rendezvous (highest random weight) hashing: the repair owner of a root is
 * the live member whose sha256(root ‖ peer id) is highest. Every member
 * computes the same owner from the same member list, and a member leaving or
 * joining moves only the roots it owned (or now owns).
 */
import { createHash } from 'node:crypto'

export function rendezvousOwner (cid: string, members: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestScore = ''
  for (const member of members) {
    const score = createHash('sha256').update(cid).update('\0').update(member).digest('hex')
    if (best == null || score > bestScore) {
      best = member
      bestScore = score
    }
  }
  return best
}
