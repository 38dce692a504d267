/**
 * Which peers said they hold which cache entries: key digest → announcing
 * peers, each hint with an end (the entry's expiry, at most
 * CACHE_HINT_MAX_AGE_MS away). A hint is only a peer's word about itself and
 * only decides whom to ask first: the answer is still a signed entry and a
 * hashed value. Bounded per peer (CACHE_HINTS_MAX_PER_PEER) and in total
 * (CACHE_HINTS_MAX), oldest first, so a peer that floods digests pushes out
 * only its own.
 */
import { CACHE_HINT_MAX_AGE_MS, CACHE_HINTS_MAX, CACHE_HINTS_MAX_PER_PEER } from '../constants.ts'

export interface HintLimits {
  maxHints: number
  maxPerPeer: number
  maxAgeMs: number
}

export class HintIndex {
  /** Per peer, its hints in the order they came (oldest first): digest → end (ms since the epoch). */
  private readonly byPeer = new Map<string, Map<string, number>>()
  /** Per digest, the peers that announced it. */
  private readonly byDigest = new Map<string, Set<string>>()
  private count = 0
  private readonly limits: HintLimits

  constructor (limits: Partial<HintLimits> = {}) {
    this.limits = { maxHints: CACHE_HINTS_MAX, maxPerPeer: CACHE_HINTS_MAX_PER_PEER, maxAgeMs: CACHE_HINT_MAX_AGE_MS, ...limits }
  }

  /** Hints kept now (one per peer and digest). */
  get size (): number {
    return this.count
  }

  /** `peer` says it holds the entry of `digest` until `expires` (null: no expiry). */
  add (peer: string, digest: string, expires: number | null, now = Date.now()): void {
    const end = Math.min(expires ?? Infinity, now + this.limits.maxAgeMs)
    if (end <= now) return
    let hints = this.byPeer.get(peer)
    if (hints == null) {
      hints = new Map()
      this.byPeer.set(peer, hints)
    }
    if (hints.delete(digest)) this.count--
    hints.set(digest, end) // to the newest end of the peer's order
    this.count++
    let peers = this.byDigest.get(digest)
    if (peers == null) {
      peers = new Set()
      this.byDigest.set(digest, peers)
    }
    peers.add(peer)
    while (hints.size > this.limits.maxPerPeer) this.dropOldest(peer, hints)
    while (this.count > this.limits.maxHints) this.dropOldest(...this.largest())
  }

  /** The peers with a live hint for `digest`, most recent announcement last. */
  peersFor (digest: string, now = Date.now()): string[] {
    const peers = this.byDigest.get(digest)
    if (peers == null) return []
    const live: string[] = []
    for (const peer of [...peers]) {
      const end = this.byPeer.get(peer)?.get(digest)
      if (end != null && end > now) live.push(peer)
      else this.forget(peer, digest)
    }
    return live
  }

  /** Drop one hint (the peer answered a miss for it). */
  forget (peer: string, digest: string): void {
    const hints = this.byPeer.get(peer)
    if (hints?.delete(digest) === true) {
      this.count--
      if (hints.size === 0) this.byPeer.delete(peer)
    }
    const peers = this.byDigest.get(digest)
    peers?.delete(peer)
    if (peers?.size === 0) this.byDigest.delete(digest)
  }

  /** Drop every hint of a peer (it was caught lying). */
  forgetPeer (peer: string): void {
    for (const digest of [...this.byPeer.get(peer)?.keys() ?? []]) this.forget(peer, digest)
  }

  private dropOldest (peer: string, hints: Map<string, number>): void {
    const oldest = hints.keys().next()
    if (oldest.done !== true) this.forget(peer, oldest.value)
  }

  private largest (): [string, Map<string, number>] {
    let best: [string, Map<string, number>] | undefined
    for (const entry of this.byPeer) if (best == null || entry[1].size > best[1].size) best = entry
    return best as [string, Map<string, number>]
  }
}
