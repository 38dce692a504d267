/**
 * Access statistics on disk: one LevelDB record per tracked root under
 * `/ipfs-kit/seeding/stats/<cid>`, written in one batch per flush (only the
 * roots that changed), loaded at start within the tracked-roots bound.
 */
import { decodeJson, encodeJson } from '../repo/index.ts'
import type { AccessStats, StoredAccess } from './access-stats.ts'
import type { BatchOp, MetaStore } from '../repo/index.ts'

const PREFIX = '/ipfs-kit/seeding/stats/'

/** Load what was persisted; records past the bound (or unreadable) are deleted. */
export async function loadStats (meta: MetaStore, stats: AccessStats): Promise<void> {
  const drop: BatchOp[] = []
  for await (const [key, value] of meta.entries(PREFIX)) {
    let kept = false
    try {
      kept = stats.restore(key.slice(PREFIX.length), decodeJson<StoredAccess>(value))
    } catch {
      // unreadable: dropped below
    }
    if (!kept) drop.push({ type: 'del', key })
  }
  await meta.batch(drop)
}

/** Write the roots changed since the last flush. */
export async function flushStats (meta: MetaStore, stats: AccessStats): Promise<void> {
  const ops = stats.takeDirty().map(([cid, entry]): BatchOp => entry == null
    ? { type: 'del', key: PREFIX + cid }
    : { type: 'put', key: PREFIX + cid, value: encodeJson(entry) })
  await meta.batch(ops)
}
