/** Public types of the inference-result cache (`kit.cache`). */
import type { AbortOptions } from '@libp2p/interface'

/** One live entry, as `list()` shows it. */
export interface CacheEntryInfo {
  key: string
  /** The value's CID (UnixFS, Kubo's `unixfs-v1-2025` profile: `store()` of the same bytes gives it). */
  cid: string
  /** Value bytes. */
  size: number
  /** When the entry expires, ms since the epoch; null when it does not. */
  expires: number | null
}

/** Counts since the kit started, and the live entries and their bytes. */
export interface CacheStats {
  entries: number
  /** Bytes of the live entries' values. */
  bytes: number
  /** Gets answered with a value: here, or from a peer (those are also `remoteHits`). */
  hits: number
  misses: number
  /** Gets answered by a peer's signed entry, its value fetched by CID and verified. */
  remoteHits: number
  /** Entries removed to stay within `max_entries` / `max_bytes` (least recently used first). */
  evictions: number
  /** Entries removed because their TTL had passed (on read, in the sweep, or at start). */
  expirations: number
}

export interface CachePutOptions extends AbortOptions {
  /** Time to live in milliseconds. @default config `cache.default_ttl` (0 there: no expiry) */
  ttl?: number
}

export interface CacheGetOptions extends AbortOptions {
  /** Ask peers on a local miss. @default config `cache.share` (never offline) */
  remote?: boolean
  /** Deadline of the remote lookup. @default config `cache.remote_timeout` */
  timeoutMs?: number
}

/** What identifies one inference: the model, the input and the decoding parameters. */
export interface InferenceRequest {
  /** A model name (`org/name`, its manifest root is used when the model is held here) or any identity string. */
  model: string
  input: unknown
  params?: unknown
}

export interface CachedInferenceOptions<T> extends CachePutOptions {
  /** Value → bytes. @default JSON */
  encode?(value: T): Uint8Array | string
  /** Bytes → value. @default JSON */
  decode?(bytes: Uint8Array): T
}
