/**
 * Automatic gc's eviction: bring the repo under a byte target by removing
 * unpinned content, never a block a strong pin holds. Blocks that belong to
 * no file and no pin (left by an interrupted fetch, say) go first; then weak
 * pins — roots pinned only as `auto` (src/seeding) — least recently read
 * first; then unpinned files, least recently used first (last read or store,
 * from the file index). Each root taken takes only the blocks that no pin and
 * no other listed file holds.
 */
import { isWeakPin } from '../pins/index.ts'
import { blockKey, keyToCid } from '../blocks/index.ts'
import type { StorageComponents } from './storage.ts'
import type { GcResult } from '../pins/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** The storage components eviction uses. */
export type EvictionComponents = Pick<StorageComponents, 'blockstore' | 'files' | 'pins' | 'fileRefs' | 'gcLock' | 'holds' | 'lastRead'>

export interface EvictionResult extends GcResult {
  /** Repo bytes before and after. */
  before: number
  after: number
}

export async function evictToTarget (c: EvictionComponents, targetBytes: number, options: AbortOptions = {}): Promise<EvictionResult> {
  const release = await c.gcLock.write(options)
  try {
    const sizes = new Map<string, number>()
    let used = 0
    for await (const { cid, size } of c.blockstore.list(options)) {
      sizes.set(blockKey(cid), size)
      used += size
    }
    const before = used
    let removedBlocks = 0
    if (used <= targetBytes) return { removedBlocks, freedBytes: 0, before, after: used }

    const pinned = await c.pins.referencedKeys()
    for (const key of c.holds.keys()) pinned.add(key)
    const listed = await c.fileRefs.referencedKeys()
    const pinnedRoots = await c.pins.pinnedRoots()

    const remove = async (key: string): Promise<void> => {
      const size = sizes.get(key)
      if (size == null) return
      options.signal?.throwIfAborted()
      sizes.delete(key)
      await c.blockstore.delete(keyToCid(key))
      used -= size
      removedBlocks++
    }

    // blocks no pin and no listed file holds: left by interrupted fetches or imports
    for (const key of [...sizes.keys()]) {
      if (used <= targetBytes) break
      if (!pinned.has(key) && !listed.has(key)) await remove(key)
    }

    // weak pins, least recently read first (never read here: oldest pin first)
    const weak: Array<{ cid: CID, lastRead: number }> = []
    for await (const pin of c.pins.ls()) {
      if (isWeakPin(pin.origins)) weak.push({ cid: pin.cid, lastRead: c.lastRead?.(pin.cid.toString()) ?? pin.created })
    }
    weak.sort((a, b) => a.lastRead - b.lastRead)
    const held = c.holds.keys()
    for (const root of weak) {
      if (used <= targetBytes) break
      const keys = await c.pins.blocksOf(root.cid) ?? []
      await c.pins.rm(root.cid, 'auto')
      await c.fileRefs.rm(root.cid)
      await c.files.delete(root.cid)
      for (const key of keys) {
        if (held.has(key) || await c.pins.refCount(key) > 0 || await c.fileRefs.refCount(key) > 0) continue
        pinned.delete(key)
        await remove(key)
      }
    }

    const candidates: Array<{ cid: CID, lastUsed: number }> = []
    for await (const entry of c.files.entries()) {
      if (!pinnedRoots.has(entry.cid.toString())) candidates.push({ cid: entry.cid, lastUsed: Math.max(entry.accessed ?? 0, entry.modified) })
    }
    candidates.sort((a, b) => a.lastUsed - b.lastUsed)
    for (const file of candidates) {
      if (used <= targetBytes) break
      const keys = await c.fileRefs.blocksOf(file.cid) ?? []
      await c.fileRefs.rm(file.cid)
      await c.files.delete(file.cid)
      for (const key of keys) {
        if (!pinned.has(key) && await c.fileRefs.refCount(key) === 0) await remove(key)
      }
    }
    return { removedBlocks, freedBytes: before - used, before, after: used }
  } finally {
    release()
  }
}
