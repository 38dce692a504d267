/**
 * `cacheKey()`: SHA-256 over the canonical JSON of an inference request, so
 * that two processes (or a Python client) asking the same thing agree on the
 * key, and anything that changes the answer — the model's content, the input,
 * a decoding parameter — changes it (LMCache served wrong hits when its key
 * lacked the engine's identity).
 */
import { createHash } from 'node:crypto'
import { InvalidInputError } from '../errors.ts'

/** Prefixed to what is hashed, so a key never equals a hash of something else. */
const DOMAIN = 'ipfs-kit inference cache key v1\n'

/**
 * JSON with object keys sorted at every depth, no spaces; bytes (Uint8Array) as `{ "$bytes": base64 }`.
 * Refuses what JSON cannot say exactly: NaN, Infinity, undefined inside arrays, functions, bigints, cycles.
 */
export function canonicalJson (value: unknown, seen = new Set<object>()): string {
  if (value === null) return 'null'
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidInputError(`cannot make a cache key from the number ${value}`)
    return JSON.stringify(value)
  }
  if (typeof value !== 'object') throw new InvalidInputError(`cannot make a cache key from a ${typeof value}`)
  if (seen.has(value)) throw new InvalidInputError('cannot make a cache key from a value that contains itself')
  seen.add(value)
  try {
    if (value instanceof Uint8Array) return canonicalJson({ $bytes: Buffer.from(value).toString('base64') }, seen)
    if (Array.isArray(value)) return '[' + value.map(v => canonicalJson(v, seen)).join(',') + ']'
    const keys = Object.keys(value).filter(k => (value as Record<string, unknown>)[k] !== undefined).sort()
    return '{' + keys.map(k => JSON.stringify(k) + ':' + canonicalJson((value as Record<string, unknown>)[k], seen)).join(',') + '}'
  } finally {
    seen.delete(value)
  }
}

/** What the model is, as far as the key is concerned: its name and, when known, its manifest root. */
export interface ModelIdentity {
  name: string
  /** The manifest root CID held for the name (a republished model gets a new key). */
  root?: string
}

/**
 * The cache key of one inference: `sha256:<hex>` over the canonical JSON of
 * `{ model, input, params }`. `kit.cache.cacheKey()` fills in the model's
 * manifest root; this function takes the identity as given.
 *
 * @example
 * cacheKey({ model: { name: 'acme/bert', root: 'bafy…' }, input: 'hello', params: { temperature: 0 } })
 */
export function cacheKey (request: { model: string | ModelIdentity, input: unknown, params?: unknown }): string {
  const model = typeof request.model === 'string' ? { name: request.model } : request.model
  if (typeof model?.name !== 'string' || model.name === '') throw new InvalidInputError('cacheKey needs a model name')
  const body = canonicalJson({ model, input: request.input, params: request.params ?? null })
  return 'sha256:' + createHash('sha256').update(DOMAIN).update(body).digest('hex')
}

/** How a key travels and is stored: hex SHA-256 of its UTF-8 bytes (a key can contain user data). */
export function keyDigest (key: string): string {
  return createHash('sha256').update('ipfs-kit cache key digest v1\n').update(key).digest('hex')
}
