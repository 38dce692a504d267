/** Operations on popularity-driven seeding: access statistics per root. */
import type { OperationSpec } from '../operation-spec.ts'

export const SEEDING_OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'seedingStats',
    tool: 'seeding_stats',
    description: 'Access statistics per root, hottest first: local reads, fetches by peers, and a score that halves every seeding.half_life without access. Roots read often enough are pinned automatically (origin "auto").',
    params: [],
    input: z => z.object({ limit: z.number().int().positive().optional().describe('the hottest this many roots (default: every tracked root)') }),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  }
]
