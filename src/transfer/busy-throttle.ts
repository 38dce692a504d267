/**
 * Peers that keep opening transfer streams while they are at their cap: each
 * BUSY answer a peer gets is counted in a fixed window; a peer refused more
 * than `limit` times in one window is throttled for `coolDownMs` (the server
 * then closes its connection and resets its new streams without reading
 * them). An honest requester backs off on BUSY (doubling its wait) and stays
 * far below the limit; a peer that reopens every refused stream at once
 * crosses it within a second. State is bounded: at most `tracked` peers are
 * remembered, the least recently refused forgotten first.
 */

interface Record {
  windowStart: number
  refusals: number
  /** Throttled until this time (0: not throttled). */
  until: number
}

export interface BusyThrottleInit {
  limit: number
  windowMs: number
  coolDownMs: number
  tracked: number
  now?: () => number
}

export class BusyThrottle {
  private readonly peers = new Map<string, Record>()
  private readonly now: () => number

  constructor (private readonly init: BusyThrottleInit) {
    this.now = init.now ?? Date.now
  }

  /** Whether `peer` is in its cool-down now. */
  throttled (peer: string): boolean {
    const record = this.peers.get(peer)
    return record != null && this.now() < record.until
  }

  /** Count one BUSY answer to `peer`; true when this one starts its cool-down. */
  refused (peer: string): boolean {
    const now = this.now()
    let record = this.peers.get(peer)
    if (record == null || now - record.windowStart >= this.init.windowMs) {
      record = { windowStart: now, refusals: 0, until: record != null && now < record.until ? record.until : 0 }
    }
    // re-inserted: the map's order is least recently refused first
    this.peers.delete(peer)
    this.peers.set(peer, record)
    while (this.peers.size > this.init.tracked) this.peers.delete(this.peers.keys().next().value as string)
    record.refusals++
    if (record.refusals > this.init.limit && now >= record.until) {
      record.until = now + this.init.coolDownMs
      return true
    }
    return false
  }

  /** Peers remembered now (for tests: the state stays bounded). */
  size (): number {
    return this.peers.size
  }
}
