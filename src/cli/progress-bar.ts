/**
 * A one-line progress bar on a terminal: bytes done, rate and time left,
 * redrawn in place. Fed by `storage:store:chunk` progress events.
 */
import { formatBytes } from './output.ts'
import type { Io } from './output.ts'
import type { StoreProgressEvents } from '../index.ts'
import type { Writable } from 'node:stream'

/** Redraws per second at most: smooth to the eye, negligible next to 1 MiB chunk hashing. */
const REDRAW_INTERVAL_MS = 100

/** Before this much time has passed, a rate (and a time left) would be noise. */
const MIN_RATE_WINDOW_MS = 500

export interface ProgressBarInit {
  stream: Writable & { columns?: number }
  /** Word before the bar. @default 'adding' */
  label?: string
  /** Clock in ms, a seam for tests. @default Date.now */
  now?: () => number
}

export class ProgressBar {
  private readonly stream: Writable & { columns?: number }
  private readonly label: string
  private readonly now: () => number
  private readonly started: number
  private lastDraw = -Infinity
  private drawn = false

  constructor (init: ProgressBarInit) {
    this.stream = init.stream
    this.label = init.label ?? 'adding'
    this.now = init.now ?? Date.now
    this.started = this.now()
  }

  /** Record progress; redraws at most every REDRAW_INTERVAL_MS, and always at 100%. */
  update (bytes: number, total: number | undefined): void {
    const now = this.now()
    if (now - this.lastDraw < REDRAW_INTERVAL_MS && bytes !== total) return
    this.lastDraw = now
    this.drawn = true
    this.stream.write('\r' + this.render(bytes, total) + '\x1b[K')
  }

  /** Clear the line, leaving the terminal as it was. */
  done (): void {
    if (this.drawn) this.stream.write('\r\x1b[K')
    this.drawn = false
  }

  /** The line for `bytes` of `total` at the current time; the rate is the average since the bar was made. */
  render (bytes: number, total: number | undefined): string {
    const elapsed = this.now() - this.started
    const rate = elapsed >= MIN_RATE_WINDOW_MS ? bytes / (elapsed / 1000) : undefined
    const speed = rate == null ? '-- B/s' : `${formatBytes(Math.round(rate))}/s`
    if (total == null || total <= 0) return `${this.label} ${formatBytes(bytes)}  ${speed}`
    const fraction = Math.min(bytes / total, 1)
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
    const eta = rate != null && rate > 0 ? formatDuration((total - bytes) / rate) : '--:--'
    const text = `${formatBytes(bytes)} / ${formatBytes(total)}  ${speed}  ETA ${eta}`
    const columns = this.stream.columns ?? 80
    const width = Math.max(10, Math.min(40, columns - this.label.length - percent.length - text.length - 6))
    const filled = Math.round(fraction * width)
    return `${this.label} ${percent} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`
  }
}

/** `m:ss`, or `h:mm:ss` from an hour. */
export function formatDuration (seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/**
 * Progress for an import: a bar on stderr when it is a terminal, nothing
 * otherwise (a pipe or a log file gets no control characters).
 */
export function importProgress (io: Io, label = 'adding'): { onProgress: ((event: StoreProgressEvents) => void) | undefined, done: () => void } {
  if (io.stderr.isTTY !== true) return { onProgress: undefined, done: () => {} }
  const bar = new ProgressBar({ stream: io.stderr, label })
  return {
    onProgress: event => {
      if (event.type === 'storage:store:chunk') bar.update(event.detail.bytes, event.detail.total)
    },
    done: () => { bar.done() }
  }
}
