/**
 * The operation registry: every operation the faces serve, once. The control
 * channel validates and dispatches from it, the control client builds its
 * methods from it, and the MCP server lists it as tools.
 *
 * Adding an operation: declare its method on KitOperations and implement it
 * in `localOperations` (operations.ts), then add one OperationSpec to an
 * area's list here (or a new area file, spread into OPERATIONS below). The
 * control channel, the client and the MCP tool follow from the spec.
 */
import { CACHE_OPERATIONS } from './cache.ts'
import { DATASET_OPERATIONS } from './datasets.ts'
import { IPFS_OPERATIONS } from './ipfs.ts'
import { MODEL_OPERATIONS } from './models.ts'
import { SEEDING_OPERATIONS } from './seeding.ts'
import type { OperationSpec } from '../operation-spec.ts'

export const OPERATIONS: readonly OperationSpec[] = [
  ...IPFS_OPERATIONS,
  ...MODEL_OPERATIONS,
  ...DATASET_OPERATIONS,
  ...CACHE_OPERATIONS,
  ...SEEDING_OPERATIONS
]

const byName = new Map(OPERATIONS.map(spec => [spec.name as string, spec]))

/** The spec of the KitOperations method `name`, if it is one. */
export function operationSpec (name: string): OperationSpec | undefined {
  return byName.get(name)
}
