/**
 * The transfer server's slots: at most `perPeer` streams served at once for
 * one peer and `total` for all. When every slot is taken, a peer holding
 * fewer than its fair share (the total divided among the peers served, it
 * included) takes the oldest slot of the peer holding the most, if that one
 * holds more than the fair share; otherwise it is busy. Peers that open
 * streams and read slowly can then hold at most their share, whatever their
 * number, and a new peer is always served.
 */

export interface Slot {
  readonly peer: string
  /** Aborted when the slot is taken away (or its stream cut). */
  readonly signal: AbortSignal
  abort(reason: Error): void
  /** Give the slot back; calling it again does nothing. */
  release(): void
}

export class StreamSlots {
  /** Each peer's slots, oldest first. */
  private readonly byPeer = new Map<string, Slot[]>()
  private total = 0

  constructor (private readonly perPeer: number, private readonly max: number) {}

  /** A slot for `peer`, or undefined when it must be answered BUSY. */
  acquire (peer: string): Slot | undefined {
    const held = this.byPeer.get(peer)?.length ?? 0
    if (held >= this.perPeer) return undefined
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

  /** Streams served now, per peer. */
  active (): Map<string, number> {
    return new Map([...this.byPeer].map(([peer, slots]) => [peer, slots.length]))
  }

  private add (peer: string): Slot {
    const controller = new AbortController()
    let released = false
    const slot: Slot = {
      peer,
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
