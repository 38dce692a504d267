/**
 * The kit's blocks as the HTTP side reads them: `kit.storage.blocks()`, the
 * same source the storage API reads through (local first, hash-verified;
 * online, the transfer engine with bitswap as the fallback; counted in
 * `/metrics`), with each wait for peers bounded so that a slow network
 * becomes a 504 rather than a hung request.
 */
import { RpcError } from './rpc-error.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { Kit } from '../kit.ts'

export interface KitBlockSourceInit {
  /** Longest wait for one block from peers; past it RpcError 504. */
  timeoutMs: number
}

export function kitBlockSource (kit: Kit, init: KitBlockSourceInit): BlockSource {
  const source = kit.storage.blocks({ timeoutMs: init.timeoutMs })
  return {
    readAhead: source.readAhead,
    has: async (cid, options) => await source.has(cid, options),
    getBytes: async (cid, options = {}) => {
      try {
        return await source.getBytes(cid, options)
      } catch (err: any) {
        options.signal?.throwIfAborted()
        // online, a block still missing is one no peer sent within the wait (offline: a plain 404)
        if (err?.name === 'NotFoundError' && !kit.offline) throw new RpcError(504, `timed out after ${init.timeoutMs} ms waiting for block ${cid} from peers`, { cause: err })
        throw err
      }
    }
  }
}
