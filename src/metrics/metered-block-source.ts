/**
 * A block source that reports each read to the kit's metrics: a local hit, a
 * block fetched from peers (which the network source announces through its
 * `onFetched`), or a miss. Wraps the source; the source itself is unchanged.
 */
import type { KitMetrics } from './kit-metrics.ts'
import type { BlockSource } from '../blocks/index.ts'

export function meteredBlockSource (source: BlockSource, metrics: KitMetrics): BlockSource {
  return {
    readAhead: source.readAhead,
    has: async (cid, options) => await source.has(cid, options),
    getBytes: async (cid, options) => {
      let bytes: Uint8Array
      try {
        bytes = await source.getBytes(cid, options)
      } catch (err: any) {
        if (err?.name === 'NotFoundError') metrics.blockRead(cid, false)
        throw err
      }
      metrics.blockRead(cid, true)
      return bytes
    }
  }
}
