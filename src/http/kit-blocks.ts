/**
 * The kit's blocks as the HTTP side reads them: the local store (every block
 * hash-verified on read), then — online — peers through Helia (bitswap
 * verifies what it receives), each wait bounded so that a slow network
 * becomes a 504 rather than a hung request.
 */
import { asNotFound, NotFoundError } from '../errors.ts'
import { RpcError } from './rpc-error.ts'
import type { Kit } from '../kit.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface KitBlockSourceInit {
  /** Longest wait for one block from peers; past it RpcError 504. */
  timeoutMs: number
}

export function kitBlockSource (kit: Kit, init: KitBlockSourceInit): BlockSource {
  const blockstore = kit.helia.blockstore
  const read = async (cid: CID, options: AbortOptions): Promise<Uint8Array> => {
    const parts: Uint8Array[] = []
    for await (const part of blockstore.get(cid, options)) parts.push(part)
    return parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts)
  }
  return {
    has: async (cid, options) => await blockstore.has(cid, options),
    getBytes: async (cid, options = {}) => {
      if (await blockstore.has(cid, options)) {
        try {
          return await read(cid, options)
        } catch (err) {
          throw asNotFound(cid, err)
        }
      }
      if (kit.offline) throw new NotFoundError(cid.toString())
      const timeout = AbortSignal.timeout(init.timeoutMs)
      try {
        return await read(cid, { ...options, signal: options.signal == null ? timeout : AbortSignal.any([options.signal, timeout]) })
      } catch (err) {
        options.signal?.throwIfAborted()
        if (timeout.aborted) throw new RpcError(504, `timed out after ${init.timeoutMs} ms waiting for block ${cid} from peers`, { cause: err })
        throw asNotFound(cid, err)
      }
    }
  }
}
