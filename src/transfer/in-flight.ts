/**
 * Blocks this node is fetching right now, shared by its transfer sessions
 * and its transfer server: a peer asking us for a block we are receiving at
 * that moment (typically because a seed sent it here, see super-seed.ts) is
 * answered once the block lands, within TRANSFER_IN_FLIGHT_WAIT_MS, instead
 * of MISSING.
 */
import { TRANSFER_IN_FLIGHT_WAIT_MS } from '../constants.ts'

export class InFlight {
  private readonly blocks = new Map<string, Promise<unknown>>()

  /** Note that `key` is being fetched until `landed` settles. */
  add (key: string, landed: Promise<unknown>): void {
    if (this.blocks.has(key)) return
    this.blocks.set(key, landed)
    const done = (): void => { if (this.blocks.get(key) === landed) this.blocks.delete(key) }
    landed.then(done, done)
  }

  /** Whether this node is fetching any block now. */
  fetching (): boolean {
    return this.blocks.size > 0
  }

  /** Wait (at most TRANSFER_IN_FLIGHT_WAIT_MS) for `key` if it is being fetched; true if it was. */
  async wait (key: string, ms = TRANSFER_IN_FLIGHT_WAIT_MS): Promise<boolean> {
    const landed = this.blocks.get(key)
    if (landed == null) return false
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([landed.catch(() => {}), new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
    clearTimeout(timer)
    return true
  }
}
