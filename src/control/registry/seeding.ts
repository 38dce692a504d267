/** Operations on popularity-driven seeding: access statistics per root. */
import type { OperationSpec } from '../operation-spec.ts'

export const SEEDING_OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'seedingStats',
    tool: 'ipfs_seeding_stats',
    description: 'Access statistics per root, hottest first: local reads, fetches by peers, and a score that halves every seeding.half_life without access. Roots read often enough are pinned automatically (origin "auto").',
    params: [],
    input: z => z.object({ limit: z.number().int().positive().optional().describe('the hottest this many roots (default: every tracked root)') }),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  {
    name: 'replicationLs',
    tool: 'replication_ls',
    description: 'The replicated roots this node knows of: CID, min and max holders, the live holders (peer ids), and state (ok, under, over, or repairing while a silent holder is within seeding.repin_grace or a pin is on its way).',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: true }
  }
]
