/**
 * How much of a network's uplink capacity a run used, and when: the bytes
 * all hosts sent, sampled once a second, against hosts × link rate. Split in
 * three phases of the run — the first quarter (the ramp: a swarm's workers
 * hold nothing yet), the middle half, the last quarter (the tail) — so a
 * miss of a time target says whether the links sat idle while pieces were
 * scarce, or while they were everywhere.
 */

export interface LinkUse {
  /** Share of the capacity used over the whole run, 0–1. */
  whole: number
  ramp: number
  middle: number
  tail: number
}

interface Sample { at: number, bytes: number }

export class LinkUseSampler {
  private readonly samples: Sample[] = []
  private readonly timer: ReturnType<typeof setInterval>

  /** Sample `read()` (bytes sent so far, all hosts) every `everyMs` from now on. */
  constructor (private readonly read: () => number, everyMs = 1_000) {
    this.take()
    this.timer = setInterval(() => { this.take() }, everyMs)
  }

  private take (): void {
    this.samples.push({ at: performance.now(), bytes: this.read() })
  }

  /** Stop sampling; the use of `capacity` bytes per second over the run. */
  stop (capacity: number): LinkUse {
    clearInterval(this.timer)
    this.take()
    return linkUse(this.samples, capacity)
  }
}

/** The use of `capacity` bytes per second in each phase of the run the samples span (bytes between two samples counted evenly over that interval). */
export function linkUse (samples: readonly Sample[], capacity: number): LinkUse {
  const first = samples[0]
  const last = samples[samples.length - 1]
  if (first == null || last == null || last.at <= first.at || capacity <= 0) return { whole: NaN, ramp: NaN, middle: NaN, tail: NaN }
  const span = last.at - first.at
  /** Bytes sent between `from` and `to` (ms since the first sample). */
  const sentBetween = (from: number, to: number): number => {
    let bytes = 0
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1] as Sample
      const b = samples[i] as Sample
      const start = Math.max(a.at - first.at, from)
      const end = Math.min(b.at - first.at, to)
      if (end > start) bytes += (b.bytes - a.bytes) * (end - start) / (b.at - a.at)
    }
    return bytes
  }
  const use = (from: number, to: number): number => sentBetween(from, to) / (capacity * (to - from) / 1000)
  return { whole: use(0, span), ramp: use(0, span / 4), middle: use(span / 4, span * 3 / 4), tail: use(span * 3 / 4, span) }
}
