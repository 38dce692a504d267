/**
 * How many transfers to run at once over a link of unknown speed, sized by
 * measurement (BitTorrent's upload slots and TCP's window, in one small rule).
 * Running more transfers than the link carries does not move more bytes: they
 * share it, each takes longer, and past a point each outlives its deadline and
 * is cut mid-block. Two users:
 * - the transfer server, for requests it answers at once (its uplink): 24
 *   workers asking a seed on a 5 Mbit/s uplink for 48 requests at once had
 *   every 1 MiB block take 40–80 s and no pull finished;
 * - a transfer session, for requests it has in flight (its downlink): a worker
 *   asking each of a dozen peers for 4 MiB at once over 5 Mbit/s waited 10 s
 *   for bytes from some of them, dropped them as stalled and raced the
 *   others' blocks elsewhere (475 end-game requests in one 12-worker run).
 *
 * After each transfer, its time per MiB is noted. The limit starts at
 * `initial`; a transfer done in under half of `targetMsPerMiB` while the limit
 * is in use raises it by one, and when even the fastest of the last `samples`
 * took longer than the target it is cut by a third (at most once per target
 * interval). The fastest, not the latest: one slow party (a peer reading
 * slowly from the server, a provider on a slow uplink) makes its own
 * transfers slow, not the link, and must not shrink everyone's.
 */

export interface SlotPacerInit {
  /** The hard limit: never more than this. */
  max: number
  initial: number
  min: number
  /** Time per MiB aimed at. */
  targetMsPerMiB: number
  /** Recent transfers whose fastest decides a cut. */
  samples: number
  /** `stalledAfterMs()` is this many times the slower of the target and the fastest recent transfer. @default 4 */
  stalledFactor?: number
}

/** Transfers smaller than this count as this big: a small one's time is mostly fixed costs, not bytes. */
const MIN_COUNTED_BYTES = 256 * 1024
const MIB = 1024 * 1024

export class SlotPacer {
  private current: number
  private readonly max: number
  private readonly min: number
  private readonly target: number
  private readonly samples: number
  private readonly stalledFactor: number
  private readonly recent: number[] = []
  private lastCut = 0

  constructor (init: SlotPacerInit) {
    this.max = Math.max(1, init.max)
    this.min = Math.max(1, Math.min(this.max, init.min))
    this.current = Math.min(this.max, Math.max(this.min, init.initial))
    this.target = init.targetMsPerMiB
    this.samples = Math.max(1, init.samples)
    this.stalledFactor = init.stalledFactor ?? 4
  }

  /** Transfers that may run at once now. */
  limit (): number {
    return Math.floor(this.current)
  }

  /**
   * How long a transfer of 1 MiB may take before it counts as stalled: `stalledFactor` × the
   * slower of the target and the fastest recent transfer, per MiB. On a saturated link every
   * transfer is about as slow as the fastest, so none is stalled; a party that stopped reading is.
   */
  stalledAfterMs (): number {
    const fastest = this.recent.length === 0 ? 0 : Math.min(...this.recent)
    return this.stalledFactor * Math.max(this.target, fastest)
  }

  /** A transfer of `bytes` took `ms` while `inUse` transfers were running. */
  measured (ms: number, bytes: number, inUse: number, now: number = Date.now()): void {
    const perMiB = ms * MIB / Math.max(bytes, MIN_COUNTED_BYTES)
    this.recent.push(perMiB)
    if (this.recent.length > this.samples) this.recent.shift()
    if (perMiB < this.target / 2) {
      if (inUse >= this.limit()) this.current = Math.min(this.max, this.current + 1)
      return
    }
    if (this.recent.length < this.samples || now - this.lastCut < this.target) return
    if (Math.min(...this.recent) <= this.target) return
    this.current = Math.max(this.min, this.current * 2 / 3)
    this.lastCut = now
  }
}
