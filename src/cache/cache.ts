/**
 * `kit.cache`: the inference-result cache. A value is stored as content (a
 * real CID, the same as `storage.store` of the bytes gives), the entry
 * key → CID is persisted in LevelDB with its TTL and signed by this node's
 * publisher key, and the entry holds its blocks from gc (a hold, not a pin:
 * it never shows in `pin ls`) until it is deleted, evicted or expires.
 *
 * Eviction is LRU over whole entries, for both `max_entries` and `max_bytes`:
 * inference traffic repeats recent prompts (chat turns, retries, a batch
 * re-run), LRU needs no aging to forget yesterday's hot keys (LFU does),
 * it is what Redis users pick (`allkeys-lru`) and what the repo's own
 * eviction does, and it makes the hit rate reproducible by a ten-line
 * reference model. Values up to `memory_bytes` in total stay in memory (LRU
 * too), verified once when they enter, so a hot hit reads no disk.
 */
import { logger } from '@libp2p/logger'
import { CACHE_MAX_KEY_BYTES } from '../constants.ts'
import { CacheValueTooLargeError, InvalidCacheKeyError, InvalidInputError } from '../errors.ts'
import { cacheKey, keyDigest } from './cache-key.ts'
import { EntryStore } from './entry-store.ts'
import { Lru } from './lru.ts'
import { parseCid } from '../blocks/index.ts'
import { CacheSharing } from './sharing.ts'
import { signEntry } from './signed-entry.ts'
import type { SharingStats } from './sharing.ts'
import type { EntryRecord } from './entry-store.ts'
import type { SignedEntry } from './signed-entry.ts'
import type { CachedInferenceOptions, CacheEntryInfo, CacheGetOptions, CachePutOptions, CacheStats, InferenceRequest } from './types.ts'
import type { Lifecycle } from '../lifecycle.ts'
import type { Hold } from '../pins/index.ts'
import type { MetaStore } from '../repo/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { PublisherKey } from '../trust/index.ts'
import type { Libp2p } from '@libp2p/interface'

const log = logger('ipfs-kit:cache')

export interface CacheComponents {
  storage: IPFSKitStorage
  meta: MetaStore
  /** Signs the entries this node writes. */
  publisher: PublisherKey
  /** Absent offline: the cache is then local only. */
  libp2p?: Libp2p
  /** The manifest root held for a model name (`org/name` or `org/name@revision`), if any. */
  modelRoot?(name: string): Promise<string | undefined>
  lifecycle?: Lifecycle
}

/** Config `ipfs_kit.cache`, in bytes and milliseconds. */
export interface CacheInit {
  share: boolean
  max_entries: number
  max_bytes: number
  memory_bytes: number
  /** 0: no expiry. */
  default_ttl: number
  max_value_size: number
  remote_timeout: number
  /** Time the peers that announced a key have to answer before the other peers are asked too. */
  hinted_grace: number
  sweep_interval: number
  /** null: any cluster member. */
  trusted_writers: string[] | null
}

interface Live extends EntryRecord { hold: Hold, dirty?: boolean }

const encoder = new TextEncoder()

export class Cache {
  private readonly store: EntryStore
  /** Live entries by key digest, least recently used first. */
  private readonly table = new Lru<Live>()
  /** Verified values kept in memory, by key digest. */
  private readonly memory = new Lru<Uint8Array>()
  private readonly counts = { hits: 0, misses: 0, remoteHits: 0, evictions: 0, expirations: 0 }
  private sharing: CacheSharing | undefined
  private sweepTimer: NodeJS.Timeout | undefined
  /** Mutations (put, delete, evict, expire) run one at a time: the table and LevelDB agree. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor (private readonly c: CacheComponents, private readonly init: CacheInit) {
    this.store = new EntryStore(c.meta)
  }

  /** Load the persisted entries (holding their blocks again), answer peers, start the sweep. */
  async start (): Promise<void> {
    const now = Date.now()
    const loaded: Array<[string, EntryRecord]> = []
    const expired: string[] = []
    for await (const [digest, record] of this.store.entries()) {
      if (record.expires != null && record.expires <= now) expired.push(digest)
      else loaded.push([digest, record])
    }
    this.counts.expirations += expired.length
    await this.store.delete(expired)
    loaded.sort((a, b) => a[1].accessed - b[1].accessed)
    for (const [digest, record] of loaded) {
      const hold = this.c.storage.hold()
      hold.add(record.blocks)
      this.table.set(digest, { ...record, hold }, record.size)
    }
    await this.enforceBounds() // the bounds may have shrunk since the last run
    const libp2p = this.c.libp2p
    if (libp2p != null && this.init.share) {
      this.sharing = await CacheSharing.start({
        libp2p,
        storage: this.c.storage,
        source: { entry: digest => this.signedFor(digest), value: async (digest, entry) => await this.valueFor(digest, entry.cid) },
        maxValueSize: this.init.max_value_size,
        trustedWriters: this.init.trusted_writers,
        timeoutMs: this.init.remote_timeout,
        hintedGraceMs: this.init.hinted_grace
      })
    }
    this.sweepTimer = setInterval(() => {
      this.sweep().catch(err => { log.error('cache sweep failed - %e', err) })
    }, this.init.sweep_interval)
    this.sweepTimer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.sweepTimer)
    await this.sharing?.stop()
    await this.serial(async () => { await this.flushAccess() })
  }

  /**
   * Store `value` under `key` for `ttl` ms; resolves to the value's CID once the entry is durable.
   *
   * @example
   * const cid = await kit.cache.put('prompt:42', JSON.stringify(result), { ttl: 600_000 })
   * @throws InvalidCacheKeyError, CacheValueTooLargeError, InvalidInputError (a bad ttl): nothing stored
   */
  async put (key: string, value: Uint8Array | string, options: CachePutOptions = {}): Promise<string> {
    this.assertRunning('put')
    options.signal?.throwIfAborted()
    assertKey(key)
    const bytes = typeof value === 'string' ? encoder.encode(value) : value
    if (!(bytes instanceof Uint8Array)) throw new InvalidInputError('a cache value must be bytes or a string')
    if (bytes.byteLength > this.init.max_value_size) throw new CacheValueTooLargeError(bytes.byteLength, this.init.max_value_size)
    const ttl = options.ttl ?? (this.init.default_ttl > 0 ? this.init.default_ttl : undefined)
    if (ttl != null && (!Number.isFinite(ttl) || ttl <= 0)) throw new InvalidInputError(`cache ttl must be a positive number of milliseconds, got ${String(ttl)}`)
    const hold = this.c.storage.hold()
    try {
      const cid = await this.c.storage.store(bytes, { hold, listed: false, pin: false, signal: options.signal })
      const now = Date.now()
      const expires = ttl == null ? null : now + Math.ceil(ttl)
      await this.admit(keyDigest(key), key, bytes, cid, now, expires, hold)
      return cid
    } catch (err) {
      hold.release()
      throw err
    }
  }

  /**
   * The value under `key`, or undefined: here (never an expired entry), else — sharing and
   * online — from a peer's signed entry, its value fetched by CID and verified, then kept here
   * with the entry's remaining TTL.
   */
  async get (key: string, options: CacheGetOptions = {}): Promise<Uint8Array | undefined> {
    this.assertRunning('get')
    options.signal?.throwIfAborted()
    assertKey(key)
    const digest = keyDigest(key)
    const local = await this.local(digest, options)
    if (local != null) {
      this.counts.hits++
      return local
    }
    if (this.sharing != null && options.remote !== false) {
      const hit = await this.sharing.lookup(digest, { signal: options.signal, timeoutMs: options.timeoutMs ?? this.init.remote_timeout })
      if (hit != null) {
        try {
          await this.admit(digest, key, hit.value, hit.entry.cid, hit.entry.created, hit.entry.expires, hit.hold, hit.entry)
        } catch (err) {
          hit.hold.release()
          throw err
        }
        this.counts.hits++
        this.counts.remoteHits++
        return hit.value
      }
    }
    this.counts.misses++
    return undefined
  }

  /** True when a live entry for `key` is here (peers are not asked). */
  async has (key: string): Promise<boolean> {
    this.assertRunning('has')
    assertKey(key)
    const entry = this.table.get(keyDigest(key))
    return entry != null && !isExpired(entry)
  }

  /** Remove the entry (its blocks go at the next gc unless something else holds them). False when there was none. */
  async delete (key: string): Promise<boolean> {
    this.assertRunning('delete')
    assertKey(key)
    const digest = keyDigest(key)
    return await this.serial(async () => {
      if (!this.table.has(digest)) return false
      await this.drop([digest])
      return true
    })
  }

  /** Live entries, least recently used first. */
  async list (): Promise<CacheEntryInfo[]> {
    this.assertRunning('list')
    const out: CacheEntryInfo[] = []
    for (const [, e] of this.table.entries()) if (!isExpired(e)) out.push({ key: e.key, cid: e.cid, size: e.size, expires: e.expires })
    return out
  }

  stats (): CacheStats {
    this.assertRunning('stats')
    return { entries: this.table.size, bytes: this.table.bytes, ...this.counts }
  }

  /** Peers caught sending forged entries or values that do not match them, ignored until restart. */
  ignoredPeers (): string[] {
    return this.sharing?.stats().ignoredPeers ?? []
  }

  /** How this node's cache talks to the cluster (all zeros offline or with `cache.share` off). */
  sharingStats (): SharingStats {
    this.assertRunning('sharingStats')
    return this.sharing?.stats() ?? { asksSent: 0, asksServed: 0, digestsAnnounced: 0, hints: 0, ignoredPeers: [] }
  }

  /**
   * `cacheKey()` with the model's identity filled in: its manifest root when a model of that name
   * is held here, so a republished model never hits a stale result.
   */
  async cacheKey (request: InferenceRequest): Promise<string> {
    this.assertRunning('cacheKey')
    const root = await this.c.modelRoot?.(request.model)
    return cacheKey({ model: root == null ? { name: request.model } : { name: request.model, root }, input: request.input, params: request.params })
  }

  /**
   * The seed plan's Example 2: the cached result of this inference, else `compute()`'s, stored.
   *
   * @example
   * const answer = await kit.cache.cachedInference({ model: 'acme/bert', input: text, params: { temperature: 0 } }, async () => await run(text))
   */
  async cachedInference<T> (request: InferenceRequest, compute: () => Promise<T> | T, options: CachedInferenceOptions<T> = {}): Promise<T> {
    const key = await this.cacheKey(request)
    const decode = options.decode ?? ((bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as T)
    const encode = options.encode ?? ((value: T) => JSON.stringify(value))
    const cached = await this.get(key, { signal: options.signal })
    if (cached != null) return decode(cached)
    const value = await compute()
    await this.put(key, encode(value), { ttl: options.ttl, signal: options.signal })
    return value
  }

  /** Remove expired entries now (the background sweep calls this every `sweep_interval`). */
  async sweep (): Promise<number> {
    if (this.c.lifecycle?.stopped === true) return 0
    return await this.serial(async () => {
      const now = Date.now()
      const expired = [...this.table.entries()].filter(([, e]) => e.expires != null && e.expires <= now).map(([d]) => d)
      this.counts.expirations += expired.length
      await this.drop(expired)
      await this.flushAccess()
      return expired.length
    })
  }

  /** A live local value: from memory, else read (hash-verified) from the store. */
  private async local (digest: string, options: CacheGetOptions): Promise<Uint8Array | undefined> {
    const entry = this.table.get(digest)
    if (entry == null) return undefined
    if (isExpired(entry)) {
      this.table.delete(digest)
      this.memory.delete(digest)
      this.counts.expirations++
      void this.serial(async () => { await this.forget(digest, entry) }).catch(err => { log.error('could not remove expired entry - %e', err) })
      return undefined
    }
    this.table.touch(digest)
    entry.accessed = Date.now()
    entry.dirty = true
    const hot = this.memory.touch(digest)
    if (hot != null) return hot
    const value = await this.c.storage.retrieve(entry.cid, { signal: options.signal, timeoutMs: this.init.remote_timeout })
    if (value == null || value.byteLength !== entry.size) {
      log.error('cache entry %s lost its value %s; removing it', digest, entry.cid)
      await this.serial(async () => { if (this.table.get(digest) === entry) await this.drop([digest]) })
      return undefined
    }
    this.remember(digest, value)
    return value
  }

  /** Record an entry whose blocks `hold` keeps; replaces the key's previous entry; then evicts to the bounds. */
  private async admit (digest: string, key: string, value: Uint8Array, cid: string, created: number, expires: number | null, hold: Hold, signed?: SignedEntry): Promise<void> {
    const statement = signed ?? await signEntry(this.c.publisher, { key: digest, cid, size: value.byteLength, created, expires })
    const record: EntryRecord = { key, cid, size: value.byteLength, created, expires, accessed: Date.now(), blocks: [...hold.keys], signed: statement }
    await this.serial(async () => {
      await this.store.put(digest, record)
      const previous = this.table.get(digest)
      this.table.set(digest, { ...record, hold }, record.size)
      if (previous != null && previous.hold !== hold) previous.hold.release()
      this.memory.delete(digest)
      this.remember(digest, value)
      await this.enforceBounds()
    })
    // evicted at once (a value near max_bytes): nothing to tell the cluster
    if (this.table.has(digest)) this.sharing?.announce(digest, expires)
  }

  private remember (digest: string, value: Uint8Array): void {
    if (value.byteLength > this.init.memory_bytes) return
    this.memory.set(digest, value, value.byteLength)
    while (this.memory.bytes > this.init.memory_bytes) {
      const oldest = this.memory.oldest()
      if (oldest == null) break
      this.memory.delete(oldest)
    }
  }

  /** Evict least recently used entries until both bounds hold. Runs inside `serial`. */
  private async enforceBounds (): Promise<void> {
    const victims: string[] = []
    let entries = this.table.size
    let bytes = this.table.bytes
    for (const [digest, e] of this.table.entries()) {
      if (entries <= this.init.max_entries && bytes <= this.init.max_bytes) break
      victims.push(digest)
      entries--
      bytes -= e.size
    }
    this.counts.evictions += victims.length
    await this.drop(victims)
  }

  /** Remove entries: records first (durable), then their holds, so a crash never leaves an entry without its blocks held. */
  private async drop (digests: string[]): Promise<void> {
    if (digests.length === 0) return
    await this.store.delete(digests)
    for (const digest of digests) {
      this.table.delete(digest)?.hold.release()
      this.memory.delete(digest)
    }
  }

  /** An entry already taken out of the table (expired on read): its record and its hold. */
  private async forget (digest: string, entry: Live): Promise<void> {
    if (this.table.has(digest)) return // put again meanwhile
    await this.store.delete([digest])
    entry.hold.release()
  }

  /** A live entry's value from this node alone (memory, else disk, hash-checked), for a peer's inline answer. */
  private async valueFor (digest: string, cid: string): Promise<Uint8Array | undefined> {
    return this.memory.get(digest) ?? await this.c.storage.blocks({ local: true }).getBytes(parseCid(cid))
  }

  /** The signed statement of a live local entry, for a peer that asks. */
  private signedFor (digest: string): SignedEntry | undefined {
    const entry = this.table.get(digest)
    return entry == null || isExpired(entry) ? undefined : entry.signed
  }

  private async flushAccess (): Promise<void> {
    const dirty: Array<[string, EntryRecord]> = []
    for (const [digest, e] of this.table.entries()) {
      if (e.dirty !== true) continue
      e.dirty = false
      const { hold: _hold, dirty: _dirty, ...record } = e
      dirty.push([digest, record])
    }
    if (dirty.length > 0) await this.store.touch(dirty)
  }

  private async serial<T> (work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => {})
    return await run
  }

  private assertRunning (operation: string): void {
    this.c.lifecycle?.assertRunning(`cache.${operation}`)
  }
}

function isExpired (entry: { expires: number | null }): boolean {
  return entry.expires != null && entry.expires <= Date.now()
}

function assertKey (key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new InvalidCacheKeyError('it must be a string')
  if (key === '') throw new InvalidCacheKeyError('it is empty')
  const bytes = Buffer.byteLength(key)
  if (bytes > CACHE_MAX_KEY_BYTES) throw new InvalidCacheKeyError(`it is ${bytes} bytes, over the limit of ${CACHE_MAX_KEY_BYTES} (CACHE_MAX_KEY_BYTES)`)
}
