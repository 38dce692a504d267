/**
 * Which pull a fetched block belongs to, for the status page's providers per
 * pull: a pull hands its own `onProgress` to the fetcher it makes
 * (src/named/pull.ts), and the one it gets from TrackedModels or
 * TrackedDatasets is a function made for that pull alone, so the fetcher's
 * `onFetched` is routed to the pull whose `onProgress` it came with.
 */
import type { FetcherOptions } from '../transfer/index.ts'
import type { BlockSource } from '../blocks/index.ts'

export type Served = (peer: string, bytes: number) => void
type Fetcher = (options: FetcherOptions) => BlockSource

/** `fetcher`, with the bytes each peer sent credited to the pull registered under its `onProgress` in `servedBy`. */
export function trackingFetcher (fetcher: Fetcher | undefined, servedBy: WeakMap<object, Served>): Fetcher | undefined {
  if (fetcher == null) return undefined
  return (options: FetcherOptions) => {
    const served = options.onProgress == null ? undefined : servedBy.get(options.onProgress)
    return fetcher({
      ...options,
      onFetched: (cid, bytes, peer) => {
        options.onFetched?.(cid, bytes, peer)
        if (peer != null) served?.(peer, bytes.byteLength)
      }
    })
  }
}
