/**
 * Requests a node's transfer sessions have in flight together, paced by its
 * downlink (slot-pacer.ts): one per node, shared by every pull, since they
 * share the link. Asking more than the link carries only makes every request
 * slower: on 5 Mbit/s, a worker asking a dozen peers for 4 MiB each waited
 * over 10 s for bytes from some, dropped them as stalled and asked others
 * for the same blocks (end-game), which slowed everything further.
 */
import { TRANSFER_FETCH_INITIAL_REQUESTS, TRANSFER_FETCH_MAX_REQUESTS, TRANSFER_FETCH_MIN_REQUESTS, TRANSFER_FETCH_SAMPLES, TRANSFER_FETCH_TARGET_MS_PER_MIB } from '../constants.ts'
import { SlotPacer } from './slot-pacer.ts'

export class Downlink {
  private readonly pacer = new SlotPacer({
    max: TRANSFER_FETCH_MAX_REQUESTS,
    initial: TRANSFER_FETCH_INITIAL_REQUESTS,
    min: TRANSFER_FETCH_MIN_REQUESTS,
    targetMsPerMiB: TRANSFER_FETCH_TARGET_MS_PER_MIB,
    samples: TRANSFER_FETCH_SAMPLES
  })

  private active = 0

  /** Requests in flight now. */
  inFlight (): number {
    return this.active
  }

  /** Requests that may be in flight at once now. */
  limit (): number {
    return this.pacer.limit()
  }

  /** Room for one more request. */
  hasRoom (): boolean {
    return this.active < this.pacer.limit()
  }

  /** A request was sent. */
  started (): void {
    this.active++
  }

  /** A request ended after `ms`, having received `bytes` of blocks (none: it says nothing of the link). */
  ended (ms: number, bytes: number, now = Date.now()): void {
    this.active--
    if (bytes > 0) this.pacer.measured(ms, bytes, this.active + 1, now)
  }
}
