/**
 * How many transfer requests a server answers at once, paced by its own
 * uplink (BitTorrent's upload slots, sized by measurement instead of a fixed
 * four). Serving more requests than the uplink carries does not send more:
 * the streams share it, every block takes longer, and past a point each
 * request outlives its answer deadline and is cut mid-block (24 workers asking
 * a seed on a 5 Mbit/s uplink for 48 requests at once had every 1 MiB block
 * take 40–80 s, and no pull finished). Refused requesters get BUSY and fetch
 * from each other meanwhile.
 *
 * After each block sent, its send time per MiB is noted. The limit starts at
 * TRANSFER_SERVE_INITIAL_SLOTS; a block sent in under half of
 * TRANSFER_SERVE_TARGET_MS_PER_MIB while the limit is in use raises it by one,
 * and when even the fastest of the last TRANSFER_SERVE_SAMPLES blocks took
 * longer than the target it is cut by a third (at most once per target
 * interval). The fastest, not the latest: a peer reading slowly makes its own
 * blocks slow, not the uplink, and must not shrink everyone's service; if all
 * served peers read slowly, the optimistic slot (StreamSlots) admits one
 * more peer, whose fast blocks raise the limit again.
 */
import { TRANSFER_SERVE_INITIAL_SLOTS, TRANSFER_SERVE_MIN_SLOTS, TRANSFER_SERVE_SAMPLES, TRANSFER_SERVE_STALLED_FACTOR, TRANSFER_SERVE_TARGET_MS_PER_MIB } from '../constants.ts'

export interface UplinkPacerInit {
  /** The hard limit: never more than this. */
  max: number
  /** @default TRANSFER_SERVE_INITIAL_SLOTS */
  initial?: number
  /** @default TRANSFER_SERVE_MIN_SLOTS */
  min?: number
  /** @default TRANSFER_SERVE_TARGET_MS_PER_MIB */
  targetMsPerMiB?: number
  /** @default TRANSFER_SERVE_SAMPLES */
  samples?: number
}

/** Blocks smaller than this count as this big: a small block's time is mostly fixed costs, not bytes. */
const MIN_COUNTED_BYTES = 256 * 1024
const MIB = 1024 * 1024

export class UplinkPacer {
  private current: number
  private readonly max: number
  private readonly min: number
  private readonly target: number
  private readonly samples: number
  private readonly recent: number[] = []
  private lastCut = 0

  constructor (init: UplinkPacerInit) {
    this.max = Math.max(1, init.max)
    this.min = Math.min(this.max, init.min ?? TRANSFER_SERVE_MIN_SLOTS)
    this.current = Math.min(this.max, Math.max(this.min, init.initial ?? TRANSFER_SERVE_INITIAL_SLOTS))
    this.target = init.targetMsPerMiB ?? TRANSFER_SERVE_TARGET_MS_PER_MIB
    this.samples = Math.max(1, init.samples ?? TRANSFER_SERVE_SAMPLES)
  }

  /** Requests that may be served at once now. */
  limit (): number {
    return Math.floor(this.current)
  }

  /**
   * How long a block may take to go out before its stream counts as stalled (its slot can be
   * given to a peer served nothing): TRANSFER_SERVE_STALLED_FACTOR × the slower of the target and
   * the fastest recent block, per MiB. On a saturated uplink every stream is about as slow as the
   * fastest, so none is stalled; a reader that stopped reading is.
   */
  stalledAfterMs (): number {
    const fastest = this.recent.length === 0 ? 0 : Math.min(...this.recent)
    return TRANSFER_SERVE_STALLED_FACTOR * Math.max(this.target, fastest)
  }

  /** A block of `bytes` took `ms` to send while `serving` requests were being served. */
  sent (ms: number, bytes: number, serving: number, now: number = Date.now()): void {
    const perMiB = ms * MIB / Math.max(bytes, MIN_COUNTED_BYTES)
    this.recent.push(perMiB)
    if (this.recent.length > this.samples) this.recent.shift()
    if (perMiB < this.target / 2) {
      if (serving >= this.limit()) this.current = Math.min(this.max, this.current + 1)
      return
    }
    if (this.recent.length < this.samples || now - this.lastCut < this.target) return
    if (Math.min(...this.recent) <= this.target) return
    this.current = Math.max(this.min, this.current * 2 / 3)
    this.lastCut = now
  }
}
