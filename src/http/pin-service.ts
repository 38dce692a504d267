/**
 * The IPFS Pinning Service API (`/pins`, `/pins/{requestid}`) on the RPC port,
 * thin over `kit.seeding.pinService`: what `ipfs pin remote` (Kubo) and
 * `@ipfs-shipyard/pinning-service-client` speak. Served only when the API has a
 * token (the spec's bearer token is the API token); errors are the spec's
 * `{ error: { reason, details } }`. `GET /pins` takes the spec's filters; `meta`
 * as the spec's JSON (`meta={"app":"x"}`) or as `meta[app]=x` (what the
 * generated client sends).
 */
import { PIN_SERVICE_MAX_BODY_BYTES } from '../constants.ts'
import { PIN_REQUEST_STATUSES } from '../index.ts'
import { RpcError, toKuboError } from './rpc-error.ts'
import type { Kit, PinRequest, PinRequestQuery, PinRequestStatus } from '../index.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** True for the paths this API answers. */
export function isPinServicePath (pathname: string): boolean {
  return pathname === '/pins' || /^\/pins\/[^/]+$/.test(pathname)
}

/** Answer one Pinning Service API call (auth already checked). */
export async function servePinService (kit: Kit, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const service = kit.seeding.pinService
  if (service == null) throw new RpcError(503, 'the pinning service is not running on this node')
  const method = req.method ?? 'GET'
  if (url.pathname === '/pins') {
    if (method === 'GET') {
      req.resume()
      const { count, results } = service.list(parseQuery(url.searchParams))
      send(res, 200, { count, results: results.map(r => status(kit, r)) })
      return
    }
    if (method === 'POST') {
      send(res, 202, status(kit, await service.add(await readJson(req))))
      return
    }
    req.resume()
    res.setHeader('Allow', 'GET, POST')
    throw new RpcError(405, `${method} is not allowed on /pins`)
  }
  const requestid = decodeURIComponent(url.pathname.slice('/pins/'.length))
  if (method === 'GET') {
    req.resume()
    send(res, 200, status(kit, found(service.get(requestid), requestid)))
    return
  }
  if (method === 'POST') {
    send(res, 202, status(kit, found(await service.replace(requestid, await readJson(req)), requestid)))
    return
  }
  if (method === 'DELETE') {
    req.resume()
    if (!await service.remove(requestid)) found(undefined, requestid)
    res.writeHead(202).end()
    return
  }
  req.resume()
  res.setHeader('Allow', 'GET, POST, DELETE')
  throw new RpcError(405, `${method} is not allowed on /pins/{requestid}`)
}

/** The spec's error body: `reason` a constant, `details` the message. */
export function sendPinServiceError (res: ServerResponse, err: unknown): void {
  const { status, body } = toKuboError(err)
  if (res.headersSent) {
    res.destroy()
    return
  }
  const reason = status === 400 ? 'BAD_REQUEST' : status === 401 ? 'UNAUTHORIZED' : status === 404 ? 'NOT_FOUND' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : `HTTP_${status}`
  send(res, status, { error: { reason, details: body.Message } })
}

function found (request: PinRequest | undefined, requestid: string): PinRequest {
  if (request == null) throw new RpcError(404, `no pin request ${requestid.slice(0, 100)}`)
  return request
}

function status (kit: Kit, r: PinRequest): Record<string, unknown> {
  const out: Record<string, unknown> = { requestid: r.requestid, status: r.status, created: new Date(r.created).toISOString(), pin: r.pin, delegates: kit.addresses().slice(0, 20) }
  if (r.info != null) out.info = r.info
  return out
}

function send (res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function readJson (req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength
    if (bytes > PIN_SERVICE_MAX_BODY_BYTES) {
      req.resume()
      throw new RpcError(413, `the body is over ${PIN_SERVICE_MAX_BODY_BYTES} bytes`)
    }
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new RpcError(400, 'the body is not JSON')
  }
}

function parseQuery (params: URLSearchParams): PinRequestQuery {
  const query: PinRequestQuery = {}
  const cid = params.get('cid')
  if (cid != null && cid !== '') {
    query.cid = cid.split(',')
    if (query.cid.length > 10) throw new RpcError(400, 'cid: at most 10 CIDs')
  }
  const name = params.get('name')
  if (name != null) {
    if (name.length > 255) throw new RpcError(400, 'name: at most 255 characters')
    query.name = name
  }
  const match = params.get('match')
  if (match != null) {
    if (!['exact', 'iexact', 'partial', 'ipartial'].includes(match)) throw new RpcError(400, `match must be exact, iexact, partial or ipartial, got ${match.slice(0, 20)}`)
    query.match = match as PinRequestQuery['match']
  }
  const statuses = params.get('status')
  if (statuses != null && statuses !== '') {
    query.status = statuses.split(',') as PinRequestStatus[]
    const bad = query.status.find(s => !PIN_REQUEST_STATUSES.includes(s))
    if (bad != null) throw new RpcError(400, `status must be queued, pinning, pinned or failed, got ${bad.slice(0, 20)}`)
  }
  for (const key of ['before', 'after'] as const) {
    const value = params.get(key)
    if (value == null) continue
    const time = Date.parse(value)
    if (Number.isNaN(time)) throw new RpcError(400, `${key} must be an ISO 8601 time, got ${value.slice(0, 40)}`)
    query[key] = time
  }
  const limit = params.get('limit')
  if (limit != null) {
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) throw new RpcError(400, `limit must be 1 to 1000, got ${limit.slice(0, 20)}`)
    query.limit = Number(limit)
  }
  const meta: Record<string, string> = {}
  const json = params.get('meta')
  if (json != null) {
    let parsed: unknown
    try {
      parsed = JSON.parse(json)
    } catch {
      throw new RpcError(400, 'meta must be a JSON object of strings')
    }
    if (typeof parsed !== 'object' || parsed == null || Array.isArray(parsed)) throw new RpcError(400, 'meta must be a JSON object of strings')
    Object.assign(meta, parsed)
  }
  for (const [key, value] of params) {
    const m = /^meta\[(.+)\]$/.exec(key)
    if (m != null) meta[m[1] as string] = value
  }
  if (Object.keys(meta).length > 0) query.meta = meta
  return query
}
