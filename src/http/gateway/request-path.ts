/**
 * The `/ipfs/{cid}[/{path}]` of a gateway request, read from the raw request
 * target: the URL parser would quietly resolve `..` and `%2e%2e` away, so each
 * segment is percent-decoded here and refused (400) if it is `..`, `.`, empty
 * (`//`), or holds a backslash or NUL — before any block is read.
 */
import { GATEWAY_MAX_PATH_BYTES } from '../../constants.ts'
import { parseCid } from '../../blocks/index.ts'
import { RpcError } from '../rpc-error.ts'
import type { CID } from 'multiformats/cid'

export interface GatewayPath {
  root: CID
  /** Decoded segments after the CID. */
  segments: string[]
  /** The segments joined with '/' ('' for the root). */
  path: string
  /** The request ended in '/'. */
  trailingSlash: boolean
  query: URLSearchParams
}

/** Parse a request target such as `/ipfs/bafy…/a%20b/c.txt?format=car`. */
export function parseGatewayPath (target: string): GatewayPath {
  const q = target.indexOf('?')
  const rawPath = q === -1 ? target : target.slice(0, q)
  const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1))
  if (Buffer.byteLength(rawPath) > GATEWAY_MAX_PATH_BYTES) throw new RpcError(414, `request path longer than ${GATEWAY_MAX_PATH_BYTES} bytes`)
  if (rawPath.startsWith('/ipns/')) throw new RpcError(501, 'IPNS is not supported by this gateway: use /ipfs/{cid}')
  if (!rawPath.startsWith('/ipfs/')) throw new RpcError(404, 'not found: this gateway serves /ipfs/{cid}[/{path}]')
  const trailingSlash = rawPath.length > '/ipfs/'.length && rawPath.endsWith('/')
  const parts = rawPath.slice('/ipfs/'.length, trailingSlash ? -1 : undefined).split('/').map(decodeSegment)
  const [cid, ...segments] = parts
  if (cid == null || cid === '') throw new RpcError(400, 'a CID is required: /ipfs/{cid}')
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw new RpcError(400, 'invalid path: empty, . and .. segments are not allowed')
    if (segment.includes('\\') || segment.includes('\0') || segment.includes('/')) throw new RpcError(400, 'invalid path: backslash, NUL and encoded / are not allowed in a segment')
  }
  let root: CID
  try {
    root = parseCid(cid)
  } catch (err: any) {
    throw new RpcError(400, `invalid CID ${JSON.stringify(cid.slice(0, 100))}: ${err.message}`, { cause: err })
  }
  return { root, segments, path: segments.join('/'), trailingSlash, query }
}

function decodeSegment (segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch (err) {
    throw new RpcError(400, 'invalid path: malformed percent-encoding', { cause: err })
  }
}
