/** Garbage collection: remove every block that no pin holds. */
import { blockKey } from '../blocks/index.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { PinIndex } from './pin-index.ts'
import type { RwLock } from './rw-lock.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import { CustomProgressEvent } from 'progress-events'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

export interface GcResult {
  removedBlocks: number
  freedBytes: number
}

export type GcProgressEvents = ProgressEvent<'gc:remove', { cid: CID, size: number }>

export interface GcComponents {
  blockstore: FsBlockstore
  pins: PinIndex
  lock: RwLock
}

export interface GcOptions extends AbortOptions, ProgressOptions<GcProgressEvents> {}

/**
 * Remove blocks no pin references. Holds the write side of the gc lock, so no
 * import or pin is half-done while it runs.
 */
export async function collectGarbage (components: GcComponents, options: GcOptions = {}): Promise<GcResult> {
  options.signal?.throwIfAborted()
  const release = await components.lock.write()
  try {
    const referenced = await components.pins.referencedKeys()
    let removedBlocks = 0
    let freedBytes = 0
    for await (const { cid, size } of components.blockstore.list(options)) {
      if (referenced.has(blockKey(cid))) continue
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
