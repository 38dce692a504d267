/** What a transfer session knows about one peer it fetches from. */
import { TRANSFER_BUSY_BACKOFF_MAX_MS, TRANSFER_BUSY_BACKOFF_MS, TRANSFER_INITIAL_WINDOW, TRANSFER_REQUESTS_PER_PROVIDER, TRANSFER_STEAL_AFTER_MS, TRANSFER_STEAL_SLOWER, TRANSFER_WINDOW_FAST_MS, TRANSFER_WINDOW_SLOW_MS } from '../constants.ts'
import type { PeerId } from '@libp2p/interface'

export type DropReason = 'lying' | 'failed' | 'timed out'

export class Provider {
  readonly key: string
  /** Requests in flight to this peer. */
  active = 0
  /**
   * Requests it may have in flight: starts at TRANSFER_INITIAL_WINDOW, grows by one (up to
   * TRANSFER_REQUESTS_PER_PROVIDER) for each request answered within TRANSFER_WINDOW_FAST_MS and
   * shrinks for each slower than TRANSFER_WINDOW_SLOW_MS, so a provider on a slow link is not
   * handed more than it sends in about a second (and the rest stays free for faster peers).
   */
  window = TRANSFER_INITIAL_WINDOW
  /** Blocks it sent that verified. */
  served = 0
  bytes = 0
  /** Moving average of how long its requests took to answer, in ms (0 until one was). */
  requestMs = 0
  /** Blocks it said it does not have. */
  lacked = 0
  /** BUSY and ELSEWHERE answers: it serves (and, for ELSEWHERE, holds the block) but sent nothing. */
  refused = 0
  /**
   * False once it refused our protocol or its identify listed none of them (a peer that speaks only
   * bitswap). Either can be out of date: a peer identified, or asked, before its transfer server
   * started speaks it a moment later, so a `false` is tried again after TRANSFER_RETRY_DROPPED_MS
   * (see `incapable`), and a peer heard announcing haves speaks 1.1.0.
   */
  capable: boolean | undefined
  /** When `capable` was last set to false. */
  private incapableAt = 0
  /** No new requests before this time (it answered BUSY). */
  busyUntil = 0
  /** BUSY answers in a row (reset by a block served): the wait after the next one doubles with each. */
  busyInARow = 0
  dropped: { reason: DropReason, at: number, detail: string } | undefined
  /** Aborts this provider's requests in flight when it is dropped. */
  readonly requests = new Set<AbortController>()

  constructor (readonly id: PeerId) {
    this.key = id.toString()
  }

  /**
   * Has served blocks, or answered BUSY or ELSEWHERE, and never said it lacks one: it looks like it
   * holds the whole DAG (a seed). Peers that lacked blocks are themselves fetching; blocks they have
   * are asked of them first, so that a seed's upload goes to blocks nobody else has yet. A seed
   * whose every slot is taken answers BUSY to most of a swarm at first: counted as a seed only once
   * it served, the swarm's workers saw none and asked each other blindly for blocks nobody had yet
   * (a 12-worker run on 5 Mbit/s links: 73–142 MISSING answers per worker, most costing a second).
   */
  seedLike (): boolean {
    return (this.served > 0 || this.refused > 0) && this.lacked === 0
  }

  /** Preference order: providers that served us first, then untried ones, then those that lacked blocks. */
  score (): number {
    return this.served > 0 ? 2 : this.lacked === 0 ? 1 : 0
  }

  /** It answered ELSEWHERE: it holds the block and serves, but sent us to another peer (counted as refused). */
  referred (): void {
    this.refused++
  }

  /** It answered BUSY (counted as refused): wait TRANSFER_BUSY_BACKOFF_MS, doubling with each BUSY in a row, before asking again. */
  busy (now: number): void {
    this.refused++
    this.busyUntil = now + Math.min(TRANSFER_BUSY_BACKOFF_MAX_MS, TRANSFER_BUSY_BACKOFF_MS * 2 ** this.busyInARow)
    this.busyInARow++
  }

  /** It does not speak our protocols (as far as we know at `now`). */
  incapable (now = Date.now()): void {
    this.capable = false
    this.incapableAt = now
  }

  usable (now: number, retryDroppedMs: number): boolean {
    if (this.capable === false) {
      if (now - this.incapableAt < retryDroppedMs) return false
      this.capable = undefined // asked again: it answers for itself
    }
    if (this.dropped != null) {
      if (this.dropped.reason === 'lying' || now - this.dropped.at < retryDroppedMs) return false
      this.dropped = undefined
    }
    return now >= this.busyUntil
  }

  /** Adapt the window to how long a request of `blocks` blocks took. */
  answered (ms: number, blocks: number): void {
    if (blocks === 0) return
    this.requestMs = this.requestMs === 0 ? ms : 0.8 * this.requestMs + 0.2 * ms
    if (ms <= TRANSFER_WINDOW_FAST_MS) this.window = Math.min(TRANSFER_REQUESTS_PER_PROVIDER, this.window + 1)
    else if (ms >= TRANSFER_WINDOW_SLOW_MS) this.window = Math.max(1, this.window - 1)
  }

  /**
   * How long a block may be in flight here before another provider is also asked for it
   * (end-game): TRANSFER_STEAL_AFTER_MS, or TRANSFER_STEAL_SLOWER × its usual answer time when
   * that is longer, so that a provider on a slow or shared link is not raced for every block.
   */
  stealAfterMs (): number {
    return Math.max(TRANSFER_STEAL_AFTER_MS, TRANSFER_STEAL_SLOWER * this.requestMs)
  }

  drop (reason: DropReason, detail: string): void {
    this.dropped = { reason, at: Date.now(), detail }
    for (const controller of this.requests) controller.abort(new Error(`provider dropped: ${detail}`))
  }
}
