/**
 * `PeerTraffic`: bytes of blocks each peer served us (over our transfer
 * protocol) and we served it, for the status page's peer list. Bounded: at
 * most `limit` peers are remembered, the least recently active forgotten
 * first, so a stream of short-lived peers cannot grow it.
 */
import { PEER_TRAFFIC_TRACKED } from '../constants.ts'

export interface PeerBytes {
  /** Bytes of verified blocks this peer sent us. */
  received: number
  /** Bytes of blocks we sent this peer. */
  sent: number
}

export class PeerTraffic {
  // a Map keeps insertion order: re-inserting on each update keeps the most recent last
  private readonly peers = new Map<string, PeerBytes>()

  constructor (private readonly limit = PEER_TRAFFIC_TRACKED) {}

  received (peer: string, bytes: number): void {
    this.touch(peer).received += bytes
  }

  sent (peer: string, bytes: number): void {
    this.touch(peer).sent += bytes
  }

  /** The tallies of `peer` (zeros when unknown or forgotten). */
  get (peer: string): PeerBytes {
    const entry = this.peers.get(peer)
    return { received: entry?.received ?? 0, sent: entry?.sent ?? 0 }
  }

  get size (): number {
    return this.peers.size
  }

  private touch (peer: string): PeerBytes {
    const entry = this.peers.get(peer) ?? { received: 0, sent: 0 }
    this.peers.delete(peer)
    this.peers.set(peer, entry)
    if (this.peers.size > this.limit) {
      const oldest = this.peers.keys().next().value
      if (oldest != null) this.peers.delete(oldest)
    }
    return entry
  }
}
