/**
 * The inference-result cache (`kit.cache`): key → value stored as content,
 * TTLs, LRU bounds, values held from gc while their entry lives, and — in a
 * cluster — verified hits from peers' signed entries.
 *
 * @example
 * ```ts
 * const key = await kit.cache.cacheKey({ model: 'acme/bert', input: 'hello', params: { temperature: 0 } })
 * await kit.cache.put(key, JSON.stringify(result), { ttl: 600_000 })
 * const bytes = await kit.cache.get(key) // here, or verified from a peer
 * ```
 */
export { Cache } from './cache.ts'
export type { CacheComponents, CacheInit } from './cache.ts'
export { cacheKey, canonicalJson, keyDigest } from './cache-key.ts'
export type { ModelIdentity } from './cache-key.ts'
export type * from './types.ts'
export type { SharingStats } from './sharing.ts'
