/**
 * What this node is fetching right now, shared by its transfer sessions and
 * its transfer server. Blocks wanted (`wanted`) say that the node is fetching
 * (a fetching node serves what it holds rather than referring askers
 * elsewhere, server.ts); blocks on their way here (`receiving`: asked of a
 * provider, not merely wanted) are waited for: a peer asking us for one
 * (typically because a seed sent it here, see super-seed.ts) is answered once
 * it lands, within TRANSFER_IN_FLIGHT_WAIT_MS for the whole request, instead
 * of MISSING.
 */
import { TRANSFER_IN_FLIGHT_WAIT_MS } from '../constants.ts'

export class InFlight {
  private readonly wants = new Map<string, Promise<unknown>>()
  private readonly blocks = new Map<string, Promise<unknown>>()

  /** Note that `key` is wanted until `settled` settles. */
  wanted (key: string, settled: Promise<unknown>): void {
    track(this.wants, key, settled)
  }

  /** Note that `key` is on its way here (asked of a provider) until `landed` settles. */
  receiving (key: string, landed: Promise<unknown>): void {
    track(this.blocks, key, landed)
  }

  /** Whether this node is fetching any block now. */
  fetching (): boolean {
    return this.wants.size > 0
  }

  /**
   * Wait (at most `ms`, TRANSFER_IN_FLIGHT_WAIT_MS by default) for `key` if it is on its way here;
   * true if it was. The server gives all the blocks of one request one such wait between them, so
   * an answer of four blocks still on their way costs the asker one wait, not four in a row.
   */
  async wait (key: string, ms = TRANSFER_IN_FLIGHT_WAIT_MS): Promise<boolean> {
    const landed = this.blocks.get(key)
    if (landed == null) return false
    if (ms <= 0) return true
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([landed.catch(() => {}), new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
    clearTimeout(timer)
    return true
  }
}

function track (map: Map<string, Promise<unknown>>, key: string, settled: Promise<unknown>): void {
  if (map.has(key)) return
  map.set(key, settled)
  const done = (): void => { if (map.get(key) === settled) map.delete(key) }
  settled.then(done, done)
}
