/**
 * What a Pinning Service API client sends, checked (the API token does not
 * make it well-formed): the CID parsed, `name`, `origins` and `meta` bounded
 * as the spec bounds them (name ≤ 255 characters, ≤ 20 origins) and tighter
 * where the spec leaves it open (PIN_SERVICE_MAX_META_* ); and the filters of
 * a listing, applied.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { parseCid } from '../../blocks/index.ts'
import { PIN_SERVICE_MAX_META_BYTES, PIN_SERVICE_MAX_META_KEYS, PIN_SERVICE_MAX_ORIGINS } from '../../constants.ts'
import { InvalidInputError } from '../../errors.ts'
import { parseReplicas } from '../../pins/index.ts'
import type { PinRequest, PinRequestPin, PinRequestQuery } from './types.ts'

const HINT = 'see the IPFS Pinning Service API: { cid, name?, origins?: [multiaddr…/p2p/<id>], meta?: { key: "value" } }'

/** The pin as the client sent it, checked and normalised (the CID as a string of its own base). */
export function checkPin (raw: unknown): PinRequestPin {
  if (typeof raw !== 'object' || raw == null || Array.isArray(raw)) throw new InvalidInputError('the body must be a JSON object', HINT)
  const { cid, name, origins, meta } = raw as Record<string, unknown>
  if (typeof cid !== 'string') throw new InvalidInputError('cid is required', HINT)
  const pin: PinRequestPin = { cid: parseCid(cid).toString() }
  if (name != null) {
    if (typeof name !== 'string' || name.length > 255) throw new InvalidInputError('name must be a string of at most 255 characters', HINT)
    pin.name = name
  }
  if (origins != null) {
    if (!Array.isArray(origins) || origins.length > PIN_SERVICE_MAX_ORIGINS) throw new InvalidInputError(`origins must be a list of at most ${PIN_SERVICE_MAX_ORIGINS} multiaddrs`, HINT)
    pin.origins = origins.map(o => {
      if (typeof o !== 'string' || o.length > 1024) throw new InvalidInputError('each origin must be a multiaddr string', HINT)
      let ma
      try {
        ma = multiaddr(o)
      } catch {
        throw new InvalidInputError(`origin ${o.slice(0, 100)} is not a multiaddr`, HINT)
      }
      if (ma.getComponents().at(-1)?.name !== 'p2p') throw new InvalidInputError(`origin ${o.slice(0, 100)} must end with /p2p/<peer id>`, HINT)
      return ma.toString()
    })
  }
  if (meta != null) pin.meta = checkMeta(meta)
  if (pin.meta?.replicas != null) {
    try {
      parseReplicas(pin.meta.replicas)
    } catch (err: any) {
      throw new InvalidInputError(`meta.replicas: ${String(err.message)}`, 'N (exactly N holders) or MIN:MAX, e.g. "2:4"')
    }
  }
  return pin
}

/** String pairs, bounded in count and bytes. */
export function checkMeta (raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw == null || Array.isArray(raw)) throw new InvalidInputError('meta must be an object of string values', HINT)
  const entries = Object.entries(raw)
  if (entries.length > PIN_SERVICE_MAX_META_KEYS) throw new InvalidInputError(`meta has ${entries.length} keys, more than ${PIN_SERVICE_MAX_META_KEYS}`, HINT)
  let bytes = 0
  const out: Record<string, string> = {}
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new InvalidInputError(`meta.${key.slice(0, 64)} must be a string`, HINT)
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value)
    if (bytes > PIN_SERVICE_MAX_META_BYTES) throw new InvalidInputError(`meta is over ${PIN_SERVICE_MAX_META_BYTES} bytes`, HINT)
    out[key] = value
  }
  return out
}

/** True when `request` passes every filter of `query` but `limit`. */
export function matches (request: PinRequest, query: PinRequestQuery): boolean {
  const statuses = query.status ?? ['pinned']
  if (!statuses.includes(request.status)) return false
  if (query.cid != null && query.cid.length > 0 && !query.cid.includes(request.pin.cid)) return false
  if (query.before != null && !(request.created < query.before)) return false
  if (query.after != null && !(request.created > query.after)) return false
  if (query.name != null) {
    const name = request.pin.name
    if (name == null) return false
    const match = query.match ?? 'exact'
    const fold = match === 'iexact' || match === 'ipartial'
    const have = fold ? name.toLowerCase() : name
    const want = fold ? query.name.toLowerCase() : query.name
    if (match === 'exact' || match === 'iexact' ? have !== want : !have.includes(want)) return false
  }
  for (const [key, value] of Object.entries(query.meta ?? {})) {
    if (request.pin.meta?.[key] !== value) return false
  }
  return true
}
