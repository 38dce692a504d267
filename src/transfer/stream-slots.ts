/**
 * The transfer server's slots: at most `perPeer` streams served at once for
 * one peer and `total` for all. When every slot is taken, a peer holding
 * fewer than its fair share (the total divided among the peers served, it
 * included) takes the oldest slot of the peer holding the most, if that one
 * holds more than the fair share; otherwise it is busy. Peers that open
 * streams and read slowly can then hold at most their share, whatever their
 * number, and a new peer is always served.
 *
 * Under that hard limit the server may ask for a lower, paced one (the
 * uplink pacer's). At the paced limit a peer served nothing still gets one of
 * TRANSFER_SERVE_OPTIMISTIC_SLOTS optimistic slots; past those it takes the
 * slot of a stalled stream (one whose receiver has taken none of its block for
 * longer than the server's `stalledAfterMs`: a reader that stopped reading,
 * BitTorrent's choke of the slowest peer); otherwise it is busy. Slow readers therefore
 * hold no paced slot for long, and cannot keep the pacer's limit down.
 */
import { TRANSFER_SERVE_OPTIMISTIC_SLOTS } from '../constants.ts'

export interface AcquireOptions {
  /** The paced limit (at most the hard one). @default the hard limit */
  paced?: number
  /** A slot whose block has been going out this long is stalled. @default Infinity */
  stalledAfterMs?: number
  now?: number
}

export interface Slot {
  readonly peer: string
  /** Aborted when the slot is taken away (or its stream cut). */
  readonly signal: AbortSignal
  abort(reason: Error): void
  /** Give the slot back; calling it again does nothing. */
  release(): void
  /** When the block being written started or the receiver last took some of it (undefined between blocks): a stalled slot can be taken. */
  sendingSince: number | undefined
}

export class StreamSlots {
  /** Each peer's slots, oldest first. */
  private readonly byPeer = new Map<string, Slot[]>()
  private total = 0

  constructor (private readonly perPeer: number, private readonly max: number) {}

  /** A slot for `peer`, or undefined when it must be answered BUSY. */
  acquire (peer: string, options: AcquireOptions = {}): Slot | undefined {
    const held = this.byPeer.get(peer)?.length ?? 0
    if (held >= this.perPeer) return undefined
    const paced = Math.min(this.max, options.paced ?? this.max)
    if (this.total >= paced && this.total < this.max) {
      if (held > 0) return undefined
      if (this.total < paced + TRANSFER_SERVE_OPTIMISTIC_SLOTS) return this.add(peer)
      const stalled = this.stalled(options.now ?? Date.now(), options.stalledAfterMs ?? Infinity)
      if (stalled == null) return undefined
      stalled.abort(new Error('transfer slot given to another peer: this stream stopped reading'))
      stalled.release()
      return this.add(peer)
    }
    if (this.total >= this.max) {
      const peers = this.byPeer.size + (held === 0 ? 1 : 0)
      const fair = Math.max(1, Math.floor(this.max / peers))
      if (held >= fair) return undefined
      let greediest: Slot[] | undefined
      for (const slots of this.byPeer.values()) if (greediest == null || slots.length > greediest.length) greediest = slots
      if (greediest == null || greediest.length <= fair) return undefined
      const oldest = greediest[0] as Slot
      oldest.abort(new Error(`transfer slot given to a peer holding less than its share (${fair})`))
      oldest.release()
    }
    return this.add(peer)
  }

  /** Requests served now, all peers together. */
  serving (): number {
    return this.total
  }

  /** The slot whose block has been going out longest, if longer than `afterMs`. */
  private stalled (now: number, afterMs: number): Slot | undefined {
    let oldest: Slot | undefined
    for (const slots of this.byPeer.values()) {
      for (const slot of slots) {
        if (slot.sendingSince != null && now - slot.sendingSince > afterMs && (oldest == null || slot.sendingSince < (oldest.sendingSince as number))) oldest = slot
      }
    }
    return oldest
  }

  /** Streams served now, per peer. */
  active (): Map<string, number> {
    return new Map([...this.byPeer].map(([peer, slots]) => [peer, slots.length]))
  }

  private add (peer: string): Slot {
    const controller = new AbortController()
    let released = false
    const slot: Slot = {
      peer,
      sendingSince: undefined,
      signal: controller.signal,
      abort: reason => { controller.abort(reason) },
      release: () => {
        if (released) return
        released = true
        this.total--
        const slots = this.byPeer.get(peer) ?? []
        slots.splice(slots.indexOf(slot), 1)
        if (slots.length === 0) this.byPeer.delete(peer)
      }
    }
    const slots = this.byPeer.get(peer)
    if (slots == null) this.byPeer.set(peer, [slot])
    else slots.push(slot)
    this.total++
    return slot
  }
}
