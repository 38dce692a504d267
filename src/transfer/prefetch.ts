/**
 * Fetching a whole UnixFS file's blocks into the local store: the internal
 * nodes level by level (each is small), then the leaves in random order,
 * TRANSFER_PREFETCH_WANTS at a time. Random order is what lets many nodes
 * pulling the same file at once swarm: each holds different pieces early and
 * serves them to the others, instead of all waiting on the same block from
 * the same seed.
 */
import { linksOf } from '../blocks/index.ts'
import { TRANSFER_PREFETCH_WANTS } from '../constants.ts'
import { shuffled } from './shuffle.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const RAW_CODE = 0x55

export interface PrefetchOptions extends AbortOptions {
  /** Leaves wanted at once. @default TRANSFER_PREFETCH_WANTS */
  concurrency?: number
  /** Called with the size of each leaf once it is local (fetched now or already there). */
  onLeaf?(bytes: number): void
}

/** @throws NotFoundError for the first block no source had */
export async function prefetchFile (source: BlockSource, root: CID, options: PrefetchOptions = {}): Promise<void> {
  const leaves: CID[] = []
  for (let level = [root]; level.length > 0;) {
    const next: CID[] = []
    await Promise.all(level.map(async cid => {
      if (cid.code === RAW_CODE) {
        leaves.push(cid)
        return
      }
      const bytes = await source.getBytes(cid, options)
      const children = linksOf(cid, bytes)
      next.push(...children)
      // a dag-pb node with no links holds its data inline: nothing more to fetch
    }))
    level = next
  }
  shuffled(leaves)
  let i = 0
  const worker = async (): Promise<void> => {
    while (i < leaves.length) {
      const leaf = leaves[i++] as CID
      const bytes = await source.getBytes(leaf, options)
      options.onLeaf?.(bytes.byteLength)
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? TRANSFER_PREFETCH_WANTS, leaves.length) }, worker))
}
