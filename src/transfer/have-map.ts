/**
 * What peers announced they hold (have-announcements, 1.1.0), node-wide:
 * which blocks each peer said it has, who said they have a block, and when
 * each peer was last heard (a peer announcing is itself fetching). A have is
 * only a hint of whom to ask: the block is still hashed against its CID when
 * it comes, a peer that then answers MISSING loses that have, and nothing
 * here is passed on to third peers.
 *
 * Bounded: at most TRANSFER_HAVE_PEERS peers (the least recently heard is
 * forgotten), TRANSFER_HAVE_PER_PEER blocks per peer (its oldest first) and
 * TRANSFER_HAVE_TRACKED blocks in all (the peer holding the most loses its
 * oldest first).
 */
import { TRANSFER_HAVE_FRESH_MS, TRANSFER_HAVE_PEERS, TRANSFER_HAVE_PER_PEER, TRANSFER_HAVE_TRACKED } from '../constants.ts'

export interface HaveMapLimits {
  peers: number
  perPeer: number
  total: number
}

interface PeerHaves {
  blocks: Set<string>
  heard: number
}

export class HaveMap {
  /** Least recently heard first. */
  private readonly byPeer = new Map<string, PeerHaves>()
  private readonly byBlock = new Map<string, Set<string>>()
  private total = 0
  private readonly limits: HaveMapLimits

  constructor (limits: Partial<HaveMapLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { peers: limits.peers ?? TRANSFER_HAVE_PEERS, perPeer: limits.perPeer ?? TRANSFER_HAVE_PER_PEER, total: limits.total ?? TRANSFER_HAVE_TRACKED }
  }

  /** `peer` announced `blocks` (none: it is fetching and has nothing new to say). */
  record (peer: string, blocks: Iterable<string>): void {
    let haves = this.byPeer.get(peer)
    if (haves != null) this.byPeer.delete(peer)
    haves ??= { blocks: new Set(), heard: 0 }
    haves.heard = this.now()
    this.byPeer.set(peer, haves)
    while (this.byPeer.size > this.limits.peers) this.dropPeer(this.byPeer.keys().next().value as string)
    for (const block of blocks) {
      if (haves.blocks.has(block)) continue
      haves.blocks.add(block)
      this.total++
      let holders = this.byBlock.get(block)
      if (holders == null) this.byBlock.set(block, holders = new Set())
      holders.add(peer)
      if (haves.blocks.size > this.limits.perPeer) this.forgetOldest(peer, haves)
    }
    while (this.total > this.limits.total) {
      let most: [string, PeerHaves] | undefined
      for (const entry of this.byPeer) if (most == null || entry[1].blocks.size > most[1].blocks.size) most = entry
      if (most == null) break
      this.forgetOldest(most[0], most[1])
    }
  }

  /** Whether `peer` announced `block` (and did not since answer MISSING for it). */
  has (peer: string, block: string): boolean {
    return this.byBlock.get(block)?.has(peer) ?? false
  }

  /** The peers that announced `block`. */
  holders (block: string): ReadonlySet<string> {
    return this.byBlock.get(block) ?? EMPTY
  }

  /** The blocks `peer` announced (still remembered), oldest first. */
  blocksOf (peer: string): string[] {
    return [...this.byPeer.get(peer)?.blocks ?? []]
  }

  /** Whether `peer` announced anything (a hello included) within TRANSFER_HAVE_FRESH_MS: it is fetching. */
  fetching (peer: string, now = this.now()): boolean {
    const haves = this.byPeer.get(peer)
    return haves != null && now - haves.heard < TRANSFER_HAVE_FRESH_MS
  }

  /** `peer` said MISSING for a block it announced: forget that have. */
  forget (peer: string, block: string): void {
    const haves = this.byPeer.get(peer)
    if (haves?.blocks.delete(block) !== true) return
    this.total--
    this.unlink(peer, block)
  }

  /** Forget all `peer` announced (it disconnected). */
  dropPeer (peer: string): void {
    const haves = this.byPeer.get(peer)
    if (haves == null) return
    this.byPeer.delete(peer)
    for (const block of haves.blocks) this.unlink(peer, block)
    this.total -= haves.blocks.size
  }

  /** Blocks remembered for all peers, and peers remembered (for tests: the state stays bounded). */
  size (): { blocks: number, peers: number } {
    return { blocks: this.total, peers: this.byPeer.size }
  }

  private forgetOldest (peer: string, haves: PeerHaves): void {
    const oldest = haves.blocks.values().next().value
    if (oldest == null) return
    haves.blocks.delete(oldest)
    this.total--
    this.unlink(peer, oldest)
  }

  private unlink (peer: string, block: string): void {
    const holders = this.byBlock.get(block)
    holders?.delete(peer)
    if (holders?.size === 0) this.byBlock.delete(block)
  }
}

const EMPTY: ReadonlySet<string> = new Set()
