/**
 * What a gateway request asks for: a raw block, a CAR (with `dag-scope` and
 * `entity-bytes`), or the deserialized file. `format` wins over `Accept`, as
 * the trustless gateway spec says.
 */
import { RpcError } from '../rpc-error.ts'
import type { DagScope } from '../car/dag-blocks.ts'

export type ResponseFormat =
  | { kind: 'raw' }
  | { kind: 'car', scope: DagScope, entityBytes?: EntityBytes }
  | { kind: 'file' }

/** `entity-bytes=from:to` as given: `to` undefined for `*`; negatives count from the end. */
export interface EntityBytes {
  from: number
  to: number | undefined
}

export const RAW_TYPE = 'application/vnd.ipld.raw'
export const CAR_TYPE = 'application/vnd.ipld.car'

export function responseFormat (query: URLSearchParams, accept: string | undefined): ResponseFormat {
  const format = query.get('format')
  let kind: 'raw' | 'car' | 'file' = 'file'
  let carVersion: string | undefined
  if (format != null && format !== '') {
    if (format !== 'raw' && format !== 'car') throw new RpcError(400, `format=${format} is not supported: use raw or car`)
    kind = format
  } else if (accept != null) {
    // the first of the types we serve, in the client's order
    for (const item of accept.split(',')) {
      const [type, ...params] = item.trim().split(';').map(s => s.trim())
      if (type === RAW_TYPE) { kind = 'raw'; break }
      if (type === CAR_TYPE) {
        kind = 'car'
        carVersion = params.find(p => p.startsWith('version='))?.slice('version='.length)
        break
      }
    }
  }
  if (kind !== 'car') return { kind }
  const version = query.get('car-version') ?? carVersion
  if (version != null && version !== '1') throw new RpcError(406, `CAR version ${version} is not supported: this gateway sends CARv1`)
  const entityBytes = query.has('entity-bytes') ? parseEntityBytes(query.get('entity-bytes') ?? '') : undefined
  const scope = query.get('dag-scope') ?? (entityBytes != null ? 'entity' : 'all')
  if (scope !== 'all' && scope !== 'entity' && scope !== 'block') throw new RpcError(400, `dag-scope=${scope} is not valid: use all, entity or block`)
  return { kind, scope, entityBytes }
}

/** `from:to`, integers (negative from the end) or `*` for `to`. Values beyond 2^53 are clamped, not trusted. */
export function parseEntityBytes (value: string): EntityBytes {
  const match = /^(-?\d{1,30}):(-?\d{1,30}|\*)$/.exec(value)
  if (match == null) throw new RpcError(400, `entity-bytes=${JSON.stringify(value.slice(0, 60))} is not valid: use from:to with integers, to may be *`)
  const from = clamp(Number(match[1]))
  const to = match[2] === '*' ? undefined : clamp(Number(match[2]))
  if (from >= 0 && to != null && to >= 0 && to < from) throw new RpcError(400, `entity-bytes=${value}: to is before from`)
  return { from, to }
}

function clamp (n: number): number {
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n))
}

/** The half-open byte range `[from, to)` of a file of `size` bytes, or undefined when it is empty (block scope then). 400 when it lies wholly past the end. */
export function resolveEntityBytes (range: EntityBytes, size: number): { from: number, to: number } | undefined {
  const from = range.from < 0 ? Math.max(0, size + range.from) : range.from
  const last = range.to == null ? size - 1 : range.to < 0 ? size + range.to : Math.min(range.to, size - 1)
  if (size > 0 && from >= size) throw new RpcError(400, `entity-bytes starts at ${from}, past the end of the ${size} byte file`)
  if (last < from) return undefined
  return { from, to: last + 1 }
}
