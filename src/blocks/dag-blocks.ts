/** A DAG's distinct blocks with their bytes, depth first in link order: a file's blocks in file order. */
import { blockKey } from './block-key.ts'
import { linksOf } from './links.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** Where the blocks are read from (a store, a tier, a source). */
export interface BlockReader {
  getBytes(cid: CID, options?: AbortOptions): Promise<Uint8Array>
}

/**
 * Every distinct block under `root`, read through `reader`, in the order a
 * file reader wants them. Only CIDs wait on the stack: memory stays small
 * whatever the DAG's size.
 */
export async function * dagBlocks (reader: BlockReader, root: CID, options: AbortOptions = {}): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
  const seen = new Set<string>()
  const stack: CID[] = [root]
  while (stack.length > 0) {
    options.signal?.throwIfAborted()
    const cid = stack.pop() as CID
    const key = blockKey(cid)
    if (seen.has(key)) continue
    seen.add(key)
    const bytes = await reader.getBytes(cid, options)
    const links = linksOf(cid, bytes)
    for (let i = links.length - 1; i >= 0; i--) stack.push(links[i] as CID)
    yield { cid, bytes }
  }
}
