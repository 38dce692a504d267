/**
 * Automatic gc's eviction: bring the repo under a byte target by removing
 * unpinned content, never a block a pin holds. Blocks that belong to no file
 * and no pin (left by an interrupted fetch, say) go first; then unpinned
 * files, least recently used first (last read or store, from the file index).
 */
import { blockKey, keyToCid } from '../blocks/index.ts'
import { walkDag } from '../pins/index.ts'
import type { FileIndex } from './file-index.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { BlockSource, GcResult, PinIndex, RwLock } from '../pins/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface EvictionComponents {
  blockstore: FsBlockstore
  files: FileIndex
  pins: PinIndex
  gcLock: RwLock
  local: BlockSource
}

export interface EvictionResult extends GcResult {
  /** Repo bytes before and after. */
  before: number
  after: number
}

export async function evictToTarget (c: EvictionComponents, targetBytes: number, options: AbortOptions = {}): Promise<EvictionResult> {
  const release = await c.gcLock.write()
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

    const referenced = await c.pins.referencedKeys()
    const pinnedRoots = await c.pins.pinnedRoots()
    const candidates: Array<{ cid: CID, lastUsed: number, keys: string[] }> = []
    const inFiles = new Set<string>()
    for await (const entry of c.files.entries()) {
      if (pinnedRoots.has(entry.cid.toString())) continue
      const blocks = await walkDag(c.local, entry.cid, { ...options, missing: 'skip' })
      const keys = [...blocks.keys()].filter(k => !referenced.has(k))
      keys.forEach(k => inFiles.add(k))
      candidates.push({ cid: entry.cid, lastUsed: Math.max(entry.accessed ?? 0, entry.modified), keys })
    }

    const remove = async (key: string): Promise<void> => {
      const size = sizes.get(key)
      if (size == null) return
      options.signal?.throwIfAborted()
      sizes.delete(key)
      await c.blockstore.delete(keyToCid(key))
      used -= size
      removedBlocks++
    }

    for (const key of [...sizes.keys()]) {
      if (used <= targetBytes) break
      if (!referenced.has(key) && !inFiles.has(key)) await remove(key)
    }
    candidates.sort((a, b) => a.lastUsed - b.lastUsed)
    for (const file of candidates) {
      if (used <= targetBytes) break
      for (const key of file.keys) await remove(key)
      await c.files.delete(file.cid)
    }
    return { removedBlocks, freedBytes: before - used, before, after: used }
  } finally {
    release()
  }
}
