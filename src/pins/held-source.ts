/**
 * A block source whose every block is held from before it is asked for: the
 * key joins the hold first, then the block is read or fetched and written.
 * gc and eviction read the holds after listing the blocks present, so a block
 * that arrives while they run is either not listed yet or already held — never
 * removed between its arrival and the pin that covers it.
 */
import { blockKey } from '../blocks/index.ts'
import type { Hold } from './hold.ts'
import type { BlockSource } from '../blocks/index.ts'

export function heldSource (source: BlockSource, hold: Hold): BlockSource {
  return {
    readAhead: source.readAhead,
    // a present block the caller then relies on (a walk checking completeness) is held as well
    has: async (cid, options) => {
      hold.add([blockKey(cid)])
      return await source.has(cid, options)
    },
    getBytes: async (cid, options) => {
      hold.add([blockKey(cid)])
      return await source.getBytes(cid, options)
    }
  }
}
