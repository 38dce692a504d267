/**
 * Writing one encoded dag-pb block under its CIDv1 (sha2-256), as the
 * unixfs-v1-2025 profile names every directory and shard node.
 */
import { hash } from 'node:crypto'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { SHA2_256 } from '../blocks/index.ts'
import type { ImportTarget } from './importer.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface WriteBlockOptions extends AbortOptions {
  /** Called with the block's CID before it is written (to hold it from gc). */
  onBlock?(cid: CID): void
}

/** Name `block` by its CID, report it through `onBlock`, write it to `target`. */
export async function writeDagPbBlock (block: Uint8Array, target: ImportTarget, options: WriteBlockOptions = {}): Promise<CID> {
  const cid = CID.createV1(dagPb.code, Digest.create(SHA2_256, hash('sha256', block, 'buffer')))
  options.onBlock?.(cid)
  await target.put(cid, block, options)
  return cid
}
