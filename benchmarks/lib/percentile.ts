/** Latency percentiles where a query can also miss (find nothing in time). */

/**
 * The nearest-rank `p`th percentile (0 < p ≤ 100) of `values`, a miss
 * (`null`) ranking above every time as `Infinity`: if more than 5% of the
 * queries missed, p95 is `Infinity`, never a flattering time of the rest.
 */
export function percentile (values: Array<number | null>, p: number): number {
  if (values.length === 0) return NaN
  const sorted = values.map(v => v ?? Infinity).sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] as number
}
