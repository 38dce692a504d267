/** A replication factor: how many live holders the cluster keeps of a root (src/seeding). */
import { SEEDING_MAX_REPLICAS } from '../constants.ts'

/**
 * `{ min, max }` from `3`, `'3'` or `'2:4'` (`N` means exactly N).
 *
 * @throws Error naming what is wrong
 */
export function parseReplicas (value: unknown): { min: number, max: number } {
  if (typeof value === 'object' && value != null) return checkReplicaCounts((value as any).min, (value as any).max)
  const text = String(value)
  const match = /^(\d+)(?::(\d+))?$/.exec(text)
  if (match == null) throw new Error(`replicas must be N or MIN:MAX (like 3 or 2:4), got ${JSON.stringify(value)}`)
  const min = Number(match[1])
  return checkReplicaCounts(min, match[2] == null ? min : Number(match[2]))
}

export function checkReplicaCounts (min: unknown, max: unknown): { min: number, max: number } {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || (min as number) < 1 || (max as number) < (min as number) || (max as number) > SEEDING_MAX_REPLICAS) {
    throw new Error(`replicas must satisfy 1 ≤ min ≤ max ≤ ${SEEDING_MAX_REPLICAS}, got ${String(min)}:${String(max)}`)
  }
  return { min: min as number, max: max as number }
}

