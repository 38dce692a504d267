/** Operations on popularity-driven seeding: access statistics per root. */
import type { OperationSpec } from '../operation-spec.ts'

/** How `peers` is written: "all", a count N, or a share "P%". */
const PEERS_PATTERN = /^(all|[1-9]\d{0,4}|([1-9]\d?|100)%)$/

/**
 * The preheat operation of a kind (`modelPreheat`, `datasetPreheat`): members of the cluster pull
 * and pin the named content now. One definition, so both kinds take the same input and say the same.
 */
export function preheatOperation (kind: 'model' | 'dataset', init: { nameDescription: string, revisionDescription: string, what: string }): OperationSpec {
  return {
    name: `${kind}Preheat`,
    tool: `${kind}_preheat`,
    description: `Make members of the cluster pull (verify, pin) ${init.what} now, before it is needed: \`peers\` is "all", a count N, or a share "P%" of the live members (most free space first), only those whose node.tags have every \`tags\` pair. Returns each member's outcome; a member refuses a ${kind} over its seeding.replica_max_bytes or free space, and says so. Members accept only in a private cluster (swarm key) or with seeding.accept_replicas.`,
    params: ['name'],
    input: z => z.object({
      name: z.string().min(1).describe(init.nameDescription),
      peers: z.string().regex(PEERS_PATTERN).optional().describe('"all" (default), N, or P%'),
      tags: z.record(z.string(), z.string()).optional().describe('only members whose node.tags have every pair, e.g. { "zone": "a" }'),
      revision: z.string().min(1).optional().describe(init.revisionDescription)
    }),
    annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    progress: true
  }
}

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
