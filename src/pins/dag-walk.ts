/** Collecting the distinct blocks of a DAG. */
import { blockKey, linksOf } from '../blocks/index.ts'
import { WALK_HAS_CONCURRENCY } from '../constants.ts'
import { asNotFound } from '../errors.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'


export interface WalkOptions extends AbortOptions {
  /** `throw` (default): a missing block fails the walk with NotFoundError. `skip`: it is left out, and so are its children. */
  missing?: 'throw' | 'skip'
}

const RAW_CODE = 0x55

/**
 * Every distinct block reachable from `root`, keyed by block key (a DAG may
 * link the same block many times; it counts once). Raw leaves are checked for
 * presence without being read.
 */
export async function walkDag (source: BlockSource, root: CID, options: WalkOptions = {}): Promise<Map<string, CID>> {
  const seen = new Map<string, CID>()
  const skip = options.missing === 'skip'
  const pending: CID[] = [root]
  while (pending.length > 0) {
    options.signal?.throwIfAborted()
    const cid = pending.pop() as CID
    const key = blockKey(cid)
    if (seen.has(key)) continue
    let bytes: Uint8Array
    try {
      bytes = await source.getBytes(cid, options)
    } catch (err: any) {
      if (skip && err.name === 'NotFoundError') continue
      throw asNotFound(cid, err)
    }
    seen.set(key, cid)
    const leaves: CID[] = []
    for (const child of linksOf(cid, bytes)) {
      if (child.code === RAW_CODE) leaves.push(child)
      else pending.push(child)
    }
    for (let i = 0; i < leaves.length; i += WALK_HAS_CONCURRENCY) {
      const batch = leaves.slice(i, i + WALK_HAS_CONCURRENCY)
      const present = await Promise.all(batch.map(async leaf => await source.has(leaf, options) || await fetchLeaf(source, leaf, options, skip)))
      batch.forEach((leaf, j) => { if (present[j] === true) seen.set(blockKey(leaf), leaf) })
    }
  }
  return seen
}

async function fetchLeaf (source: BlockSource, leaf: CID, options: AbortOptions, skip: boolean): Promise<boolean> {
  try {
    await source.getBytes(leaf, options)
    return true
  } catch (err: any) {
    if (skip && err.name === 'NotFoundError') return false
    throw asNotFound(leaf, err)
  }
}
