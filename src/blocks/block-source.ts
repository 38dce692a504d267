/**
 * `BlockSource`: where a reader gets blocks — the local store (every block
 * hash-verified on read), or a source that also fetches from peers. Readers
 * (UnixFS, dag walks, gc, the HTTP faces) take one and never care which.
 */
import { asNotFound } from '../errors.ts'
import type { FsBlockstore } from './fs-blockstore.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** Options of a block read. */
export interface BlockReadOptions extends AbortOptions {
  /**
   * Bytes of the read this block is part of (a file's leaves, src/unixfs/file-reader.ts): a read
   * longer than the hot tier's probation share is a scan, whose blocks the hot tier only
   * remembers (HotCache.admit). Absent: a read of this block alone.
   */
  readLength?: number
}

/** Where a reader gets blocks: the local store, or one that also fetches from peers. */
export interface BlockSource {
  getBytes(cid: CID, options?: BlockReadOptions): Promise<Uint8Array>
  has(cid: CID, options?: AbortOptions): Promise<boolean>
  /** Leaf blocks a reader should keep wanted ahead of itself (more for peers than for a disk). @default READ_AHEAD_BLOCKS */
  readonly readAhead?: number
}

/** The local store only: a missing block is NotFoundError, a corrupt one is quarantined and NotFoundError. */
export function localBlockSource (blockstore: FsBlockstore): BlockSource {
  return {
    getBytes: async (cid, options) => {
      try {
        return await blockstore.getBytes(cid, options)
      } catch (err: any) {
        throw asNotFound(cid, err)
      }
    },
    has: async (cid, options) => await blockstore.has(cid, options)
  }
}
