/**
 * The bitswap fallback: blocks no peer speaking our transfer protocol has,
 * fetched through Helia's networked blockstore (bitswap verifies what it
 * receives and writes it locally), in bounded attempts.
 */
import { DEFAULT_FETCH_TIMEOUT_MS, FETCH_ATTEMPT_TIMEOUT_MS } from '../constants.ts'
import { asNotFound, NotFoundError } from '../errors.ts'
import type { BlockSource, FsBlockstore } from '../blocks/index.ts'
import type { TransferProgressEvents } from './session.ts'
import type { Hold } from '../pins/index.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface NetworkBlockSourceInit {
  blockstore: FsBlockstore
  /** Absent offline: a missing block is then simply not found. */
  helia?: Helia
  /** @default DEFAULT_FETCH_TIMEOUT_MS */
  fetchTimeoutMs?: number
  /** Called with each block that came from peers (not from the local store). */
  onFetched?(cid: CID, bytes: Uint8Array): void
}

/** Options of a networked block source made on demand (see `StorageComponents.fetcher`). */
export interface FetcherOptions {
  /** Per-block wait for peers. */
  timeoutMs: number
  /** `peer`: who sent the block, when the source knows (our transfer protocol does, bitswap does not). */
  onFetched?(cid: CID, bytes: Uint8Array, peer?: string): void
  /** Transfer events (a provider dropped for lying or failing). */
  onProgress?(event: TransferProgressEvents): void
  /**
   * Hold every block from before it is asked for until the caller's pin covers it (gc and
   * eviction leave held blocks alone): what a pull passes, so that its work survives a gc.
   */
  hold?: Hold
}



export function networkBlockSource (init: NetworkBlockSourceInit): BlockSource {
  const { blockstore, helia } = init
  const timeout = init.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS
  return {
    has: async (cid, options) => await blockstore.has(cid, options),
    getBytes: async (cid: CID, options: AbortOptions = {}) => {
      try {
        return await blockstore.getBytes(cid, options)
      } catch (err: any) {
        if (err.name !== 'NotFoundError' || helia == null) throw asNotFound(cid, err)
      }
      // Several shorter attempts rather than one long one: each attempt is a new want sent to every
      // connected peer, so a want lost with a peer that went away (or a peer that restarted under the
      // same id) is asked again of the peers there are now.
      const deadline = Date.now() + timeout
      let lastError: unknown
      while (true) {
        const remaining = deadline - Date.now()
        if (remaining <= 0) break
        const signal = AbortSignal.any([AbortSignal.timeout(Math.min(remaining, FETCH_ATTEMPT_TIMEOUT_MS)), ...(options.signal != null ? [options.signal] : [])])
        try {
          const parts: Uint8Array[] = []
          for await (const part of helia.blockstore.get(cid, { signal })) parts.push(part)
          const bytes = parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts)
          init.onFetched?.(cid, bytes)
          return bytes
        } catch (err: any) {
          options.signal?.throwIfAborted()
          lastError = err
        }
      }
      throw new NotFoundError(cid.toString(), { cause: lastError })
    }
  }
}
