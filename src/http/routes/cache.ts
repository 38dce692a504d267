/**
 * `ipfs-kit/cache/{put,get,stats,rm}`: the inference cache for callers that
 * speak HTTP (the Python client). `put` takes the key (`arg`), an optional
 * `ttl` duration and the value as the first multipart part (as `add`); `get`
 * answers the bytes, or 404 in Kubo's error shape on a miss. `key` turns a
 * JSON `{ model, input, params }` body into `kit.cache.cacheKey()`'s key, so a
 * Python worker and a TypeScript one asking the same thing share entries (the
 * daemon knows the model's manifest root; the caller need not).
 */
import { parseDuration } from '../../config/index.ts'
import { CACHE_MAX_KEY_REQUEST_BYTES, CONTROL_MAX_CACHE_VALUE_BYTES } from '../../constants.ts'
import { parseMultipart, readPart } from '../multipart.ts'
import { requiredArg, sendJson } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'

export async function cachePut ({ kit, req, query, signal, res }: RequestContext): Promise<void> {
  const key = requiredArg(query)
  const ttlText = query.get('ttl')
  // the body is read before a bad ttl is refused: a client still sending it would otherwise see
  // the connection cut (EPIPE) instead of the 400
  let value: Uint8Array | undefined
  for await (const part of parseMultipart(req, { signal, maxPartBytes: CONTROL_MAX_CACHE_VALUE_BYTES })) {
    if (value == null) value = await readPart(part.body)
    else for await (const _ of part.body) { /* only the first part is the value */ }
  }
  let ttl: number | undefined
  if (ttlText != null) {
    ttl = parseDuration(ttlText) ?? undefined
    if (ttl == null || ttl <= 0) throw new RpcError(400, `ttl must be a duration over 0 like 10m, 1h or 500ms, got ${JSON.stringify(ttlText)}`)
  }
  if (value == null) throw new RpcError(400, 'a multipart body with the value is required')
  sendJson(res, { Key: key, Cid: await kit.cache.put(key, value, { ttl, signal }) })
}

export async function cacheGet ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const key = requiredArg(query)
  const value = await kit.cache.get(key, { signal })
  if (value == null) throw new RpcError(404, `cache miss: ${key}`)
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': value.byteLength })
  res.end(value)
}

export async function cacheStats ({ kit, res }: RequestContext): Promise<void> {
  sendJson(res, kit.cache.stats())
}

export async function cacheRm ({ kit, query, res }: RequestContext): Promise<void> {
  const key = requiredArg(query)
  sendJson(res, { Key: key, Removed: await kit.cache.delete(key) })
}

export async function cacheKey ({ kit, req, signal, res }: RequestContext): Promise<void> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Uint8Array>) {
    signal.throwIfAborted()
    size += chunk.byteLength
    if (size > CACHE_MAX_KEY_REQUEST_BYTES) throw new RpcError(400, `the request body is over ${CACHE_MAX_KEY_REQUEST_BYTES} bytes (CACHE_MAX_KEY_REQUEST_BYTES)`)
    chunks.push(chunk)
  }
  let request: { model?: unknown, input?: unknown, params?: unknown }
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new RpcError(400, 'the body must be JSON: { "model": "org/name", "input": ..., "params": ... }')
  }
  if (request == null || typeof request !== 'object' || typeof request.model !== 'string' || request.model === '') {
    throw new RpcError(400, 'the body needs "model", a non-empty string')
  }
  sendJson(res, { Key: await kit.cache.cacheKey({ model: request.model, input: request.input, params: request.params }) })
}
