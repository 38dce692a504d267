/** Timing, throughput and peak memory of the current process. */

/** Peak resident set size of this process so far, in bytes (Linux reports `maxRSS` in KiB). */
export function peakRss (): number {
  return process.resourceUsage().maxRSS * 1024
}

/** Run `fn` and return its result with the elapsed wall time in milliseconds. */
export async function timed<T> (fn: () => Promise<T>): Promise<{ value: T, ms: number }> {
  const start = process.hrtime.bigint()
  const value = await fn()
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 }
}

/** Throughput in MB/s (10^6 bytes per second). */
export function mbPerSecond (bytes: number, ms: number): number {
  return ms > 0 ? bytes / 1e3 / ms : Infinity
}

/** Median of a non-empty list. */
export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length % 2 === 1) return sorted[mid] as number
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
