/** Garbage collection: remove every block that no pin holds — after checking that every pinned DAG is whole. */
import { blockKey, keyToCid } from '../blocks/index.ts'
import { DamagedPinsError } from '../errors.ts'
import { CustomProgressEvent } from 'progress-events'
import type { FsBlockstore } from '../blocks/index.ts'
import type { PinIndex } from './pin-index.ts'
import type { RwLock } from './rw-lock.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { ProgressEvent, ProgressOptions } from 'progress-events'
import { GC_VERIFY_CONCURRENCY } from '../constants.ts'


export interface GcResult {
  removedBlocks: number
  freedBytes: number
}

export type GcProgressEvents =
  ProgressEvent<'gc:verify', { checked: number, total: number }> |
  ProgressEvent<'gc:remove', { cid: CID, size: number }>

export interface GcComponents {
  blockstore: FsBlockstore
  pins: PinIndex
  lock: RwLock
  /** Blocks held by temporary holds: kept, but not checked like pins. */
  held?(): Set<string>
  /** True when a block absent from disk is held in another tier (the cold tier's bucket): a pin holding it is whole. */
  elsewhere?(cid: CID): Promise<boolean>
}

export interface GcOptions extends AbortOptions, ProgressOptions<GcProgressEvents> {
  /**
   * Hash every pinned block before removing anything, and refuse (DamagedPinsError)
   * when one is corrupt. Presence is always checked.
   *
   * @default true
   */
  verify?: boolean
}

/**
 * Remove blocks no pin references. Holds the write side of the gc lock, so no
 * import or pin is half-done while it runs. When a pinned DAG is missing a
 * block, or (with `verify`) has a corrupt one, nothing is removed and
 * DamagedPinsError lists those blocks: a damaged repo is for `verify --repair`,
 * not for deleting more.
 */
export async function collectGarbage (components: GcComponents, options: GcOptions = {}): Promise<GcResult> {
  options.signal?.throwIfAborted()
  const release = await components.lock.write({ signal: options.signal })
  try {
    const referenced = await components.pins.referencedKeys()
    const present = new Map<string, { cid: CID, size: number }>()
    for await (const block of components.blockstore.list(options)) present.set(blockKey(block.cid), block)

    const damaged: string[] = []
    for (const key of referenced) {
      if (!present.has(key) && await components.elsewhere?.(keyToCid(key)) !== true) damaged.push(key)
    }
    if (options.verify !== false) damaged.push(...await corruptAmong(components.blockstore, [...referenced].filter(key => present.has(key)), options))
    if (damaged.length > 0) throw new DamagedPinsError(damaged.map(key => keyToCid(key).toString()))

    let removedBlocks = 0
    let freedBytes = 0
    const held = components.held?.() ?? new Set<string>()
    for (const [key, { cid, size }] of present) {
      if (referenced.has(key) || held.has(key)) continue
      options.signal?.throwIfAborted()
      await components.blockstore.delete(cid)
      removedBlocks++
      freedBytes += size
      options.onProgress?.(new CustomProgressEvent('gc:remove', { cid, size }))
    }
    return { removedBlocks, freedBytes }
  } finally {
    release()
  }
}

/** Keys among `keys` whose block fails its hash check (it is quarantined as it is read). */
async function corruptAmong (blockstore: FsBlockstore, keys: string[], options: GcOptions): Promise<string[]> {
  const corrupt: string[] = []
  let checked = 0
  for (let i = 0; i < keys.length; i += GC_VERIFY_CONCURRENCY) {
    options.signal?.throwIfAborted()
    const batch = keys.slice(i, i + GC_VERIFY_CONCURRENCY)
    await Promise.all(batch.map(async key => {
      try {
        await blockstore.getBytes(keyToCid(key), { signal: options.signal, noCache: true })
      } catch (err: any) {
        if (err.name !== 'NotFoundError') throw err
        corrupt.push(key)
      }
    }))
    checked += batch.length
    options.onProgress?.(new CustomProgressEvent('gc:verify', { checked, total: keys.length }))
  }
  return corrupt
}
