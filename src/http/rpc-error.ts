/**
 * Errors in the shape Kubo's RPC API returns them, so kubo-rpc-client and the
 * Python framework's Kubo code read our messages unchanged.
 */
import type { ServerResponse } from 'node:http'

/** A failure with the HTTP status Kubo would answer: 400 for bad arguments, 500 for failed operations. */
export class RpcError extends Error {
  static override readonly name = 'RpcError'
  override readonly name = 'RpcError'
  constructor (readonly status: number, message: string, options?: ErrorOptions) {
    super(message, options)
  }
}

/** Kubo's error body: `Code` is always 0 (cmds.ErrNormal) for what clients see. */
export interface KuboErrorBody {
  Message: string
  Code: 0
  Type: 'error'
}

/** Errors about the caller's input: Kubo answers them with 400. */
const BAD_REQUEST = new Set(['InvalidCIDError', 'UnsupportedHashError', 'InvalidInputError', 'InputNotFoundError', 'InvalidModelNameError', 'UnsafePathError', 'BadRequestError', 'InvalidCacheKeyError', 'CacheValueTooLargeError', 'InvalidShareError'])

/** The status and body for any thrown value. */
export function toKuboError (err: unknown): { status: number, body: KuboErrorBody } {
  const e = err as { name?: string, message?: string, status?: number } | undefined
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err)
  let status = 500
  if (err instanceof RpcError) status = err.status
  else if (e?.name != null && BAD_REQUEST.has(e.name)) status = 400
  else if (e?.name === 'DestinationExistsError') status = 409
  return { status, body: { Message: message, Code: 0, Type: 'error' } }
}

/** Answer with a Kubo-shaped error, unless headers are already out (then cut the response short). */
export function sendError (res: ServerResponse, err: unknown): void {
  const { status, body } = toKuboError(err)
  if (res.headersSent) {
    // mid-stream: Kubo reports the error in a trailer; the client sees a truncated body
    res.destroy(err instanceof Error ? err : undefined)
    return
  }
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body) + '\n')
}
