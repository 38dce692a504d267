/**
 * libp2p's peer store keeps one protobuf record per peer under `/peers/<id>`
 * in the datastore, and reads and rewrites it on every stream opened or
 * accepted (to note the protocol), every identify, every peer a DHT answer
 * names and every gossipsub graft: a LevelDB get and put each time, always
 * (its "save if different" writes a fresh `updated` time). In a meshed fleet
 * that was the biggest single cost of an idle node (profile in docs/DESIGN.md,
 * "What a node costs at rest").
 *
 * This datastore wraps the node's own for libp2p: records under `/peers/` are
 * kept in memory (least recently used first out, dirty ones never dropped)
 * and written behind, one LevelDB batch at most every `flushMs`, and at stop;
 * every other key goes straight through. A crash loses at most `flushMs` of
 * peer-record updates — addresses and protocols that the next connection
 * tells again. Queries that can see `/peers/` flush first, so they read
 * everything written.
 */
import { NotFoundError } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { Key } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'
import type { Batch, Datastore, KeyQuery, Pair, Query } from 'interface-datastore'

const log = logger('ipfs-kit:node:peer-records')
const PREFIX = '/peers/'

export interface PeerRecordCacheInit {
  /** Most records kept in memory (dirty ones are kept beyond it until written). */
  maxRecords: number
  /** Longest a changed record waits before it is written. */
  flushMs: number
}

/** Does a query with this prefix (none: everything) see keys under `/peers/`? */
const seesPeers = (prefix: string | undefined): boolean =>
  prefix == null || PREFIX.startsWith(prefix) || prefix.startsWith(PREFIX)

export class PeerRecordCache implements Datastore {
  /** key → record, or null: known absent. Map order is recency (oldest first). */
  private readonly records = new Map<string, Uint8Array | null>()
  private readonly dirty = new Set<string>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private flushing: Promise<void> = Promise.resolve()
  private stopped = false

  constructor (private readonly inner: Datastore, private readonly init: PeerRecordCacheInit) {}

  /** Records held in memory and how many wait to be written (for tests and diagnostics). */
  get size (): { records: number, dirty: number } {
    return { records: this.records.size, dirty: this.dirty.size }
  }

  async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    const k = key.toString()
    if (!k.startsWith(PREFIX)) return await this.inner.get(key, options)
    let value = this.records.get(k)
    if (value === undefined) {
      value = await this.load(key, k, options)
    } else {
      this.touch(k, value)
    }
    if (value == null) throw new NotFoundError(`no record for ${k}`)
    return value
  }

  async has (key: Key, options?: AbortOptions): Promise<boolean> {
    const k = key.toString()
    if (!k.startsWith(PREFIX)) return await this.inner.has(key, options)
    const value = this.records.get(k)
    if (value !== undefined) return value != null
    return (await this.load(key, k, options)) != null
  }

  async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const k = key.toString()
    if (!k.startsWith(PREFIX) || this.stopped) return await this.inner.put(key, value, options)
    this.touch(k, value)
    this.dirty.add(k)
    this.schedule()
    this.evict()
    return key
  }

  async delete (key: Key, options?: AbortOptions): Promise<void> {
    const k = key.toString()
    if (!k.startsWith(PREFIX)) { await this.inner.delete(key, options); return }
    this.touch(k, null)
    this.dirty.delete(k)
    // a batch being written may still carry the old record: delete after it
    await this.flushing
    await this.inner.delete(key, options)
  }

  async * putMany (source: Iterable<Pair> | AsyncIterable<Pair>, options?: AbortOptions): AsyncGenerator<Key> {
    for await (const { key, value } of source) yield await this.put(key, value, options)
  }

  async * getMany (source: Iterable<Key> | AsyncIterable<Key>, options?: AbortOptions): AsyncGenerator<Pair> {
    for await (const key of source) yield { key, value: await this.get(key, options) }
  }

  async * deleteMany (source: Iterable<Key> | AsyncIterable<Key>, options?: AbortOptions): AsyncGenerator<Key> {
    for await (const key of source) {
      await this.delete(key, options)
      yield key
    }
  }

  batch (): Batch {
    const ops: Array<{ key: Key, value?: Uint8Array }> = []
    return {
      put: (key, value) => { ops.push({ key, value }) },
      delete: (key) => { ops.push({ key }) },
      commit: async (options?: AbortOptions) => {
        const through = this.inner.batch()
        let passed = 0
        for (const { key, value } of ops) {
          if (key.toString().startsWith(PREFIX)) {
            if (value == null) await this.delete(key, options)
            else await this.put(key, value, options)
          } else {
            if (value == null) through.delete(key)
            else through.put(key, value)
            passed++
          }
        }
        if (passed > 0) await through.commit(options)
      }
    }
  }

  async * query (q: Query, options?: AbortOptions): AsyncGenerator<Pair> {
    if (seesPeers(q.prefix)) await this.flush()
    yield * this.inner.query(q, options)
  }

  async * queryKeys (q: KeyQuery, options?: AbortOptions): AsyncGenerator<Key> {
    if (seesPeers(q.prefix)) await this.flush()
    yield * this.inner.queryKeys(q, options)
  }

  /** Write every changed record now (one batch). */
  async flush (): Promise<void> {
    this.flushing = this.flushing.then(async () => { await this.write() })
    await this.flushing
  }

  /** Write what is pending; later puts go straight to the datastore. */
  async stop (): Promise<void> {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
    await this.flush()
    this.stopped = true
    this.records.clear()
  }

  private async write (): Promise<void> {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
    if (this.dirty.size === 0) return
    const keys = [...this.dirty]
    this.dirty.clear()
    const batch = this.inner.batch()
    for (const k of keys) {
      const value = this.records.get(k)
      if (value != null) batch.put(new Key(k), value)
    }
    try {
      await batch.commit()
    } catch (err) {
      // kept for the next flush, unless replaced or deleted meanwhile
      for (const k of keys) if (this.records.get(k) != null) this.dirty.add(k)
      log.error('could not write %d peer records - %e', keys.length, err)
      this.schedule()
    }
    this.evict()
  }

  private async load (key: Key, k: string, options?: AbortOptions): Promise<Uint8Array | null> {
    let value: Uint8Array | null
    try {
      value = await this.inner.get(key, options)
    } catch (err: any) {
      if (err.name !== 'NotFoundError') throw err
      value = null
    }
    // a put or delete while this read was under way is newer than what it read
    const now = this.records.get(k)
    if (now !== undefined) return now
    if (!this.stopped) {
      this.records.set(k, value)
      this.evict()
    }
    return value
  }

  private touch (k: string, value: Uint8Array | null): void {
    this.records.delete(k)
    this.records.set(k, value)
  }

  private schedule (): void {
    if (this.timer != null || this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flush().catch(() => {})
    }, this.init.flushMs)
    this.timer.unref?.()
  }

  private evict (): void {
    if (this.records.size <= this.init.maxRecords) return
    for (const k of this.records.keys()) {
      if (this.records.size <= this.init.maxRecords) return
      if (!this.dirty.has(k)) this.records.delete(k)
    }
  }
}
