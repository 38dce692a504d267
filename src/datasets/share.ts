/** Checking what share of a dataset a caller asks for: rank/world or an elastic group, one of them. */
import { DATASETS_MIN_SHARD_SIZE } from '../constants.ts'
import { InvalidInputError, InvalidShareError } from '../errors.ts'
import type { ShareOptions } from './types.ts'

export type Share = { mode: 'rank', rank: number, world: number } | { mode: 'group', group: string }

const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** @throws InvalidShareError for rank >= world, world < 1, a non-integer, both rank and group, or neither */
export function parseShare (options: ShareOptions): Share {
  const { rank, world, group } = options
  if (group != null) {
    if (rank != null || world != null) throw new InvalidShareError('give either rank/world or a group, not both')
    if (typeof group !== 'string' || !GROUP.test(group)) throw new InvalidShareError(`group ${JSON.stringify(String(group).slice(0, 40))} must be letters, digits, - _ . (at most 128)`)
    return { mode: 'group', group }
  }
  return { mode: 'rank', ...parseRank(rank, world) }
}

/** @throws InvalidShareError unless 0 <= rank < world, both integers */
export function parseRank (rank: unknown, world: unknown): { rank: number, world: number } {
  if (rank == null || world == null) throw new InvalidShareError('a rank and a world size (or a group) are needed')
  if (!Number.isSafeInteger(world) || (world as number) < 1) throw new InvalidShareError(`world must be an integer >= 1, not ${String(world)}`)
  if (!Number.isSafeInteger(rank) || (rank as number) < 0) throw new InvalidShareError(`rank must be an integer >= 0, not ${String(rank)}`)
  if ((rank as number) >= (world as number)) throw new InvalidShareError(`rank ${String(rank)} is not below world ${String(world)} (ranks are 0 … world-1)`)
  return { rank: rank as number, world: world as number }
}

/** Line-based files: records counted, split with `shardSize`. */
export function isLineBased (path: string): boolean {
  return /\.(jsonl|ndjson|csv|tsv|txt)$/i.test(path)
}

/** @throws InvalidInputError for a shard size that is not a byte count of at least DATASETS_MIN_SHARD_SIZE */
export function assertShardSize (shardSize: number | undefined): void {
  if (shardSize == null) return
  if (!Number.isSafeInteger(shardSize) || shardSize < DATASETS_MIN_SHARD_SIZE) {
    throw new InvalidInputError(`shardSize must be a byte count of at least ${DATASETS_MIN_SHARD_SIZE}, not ${String(shardSize)}`)
  }
}
