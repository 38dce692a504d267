/**
 * The cold tier: blocks in S3-compatible object storage, packed. Blocks are
 * appended to CAR packs of up to `packSize` bytes; each pack is uploaded with
 * an index object beside it, then recorded in the local index (PackIndex), so
 * `has` is a local lookup and a read is one ranged GET for a run of blocks
 * (those that follow the wanted one in the same pack and the same upload, up
 * to COLD_READ_RUN_BYTES for a sequential read, COLD_READ_FIRST_RUN_BYTES
 * from the middle of an upload), parsed as it streams. Every block read is hashed against its CID: one
 * that fails is dropped from the index (quarantined) and reported missing, so
 * readers go on to peers; it is never served.
 */
import { NotFoundError as StoreNotFoundError } from 'interface-store'
import { COLD_READ_FIRST_RUN_BYTES, COLD_READ_RUN_BYTES, COLD_RUN_BUFFER_BYTES } from '../constants.ts'
import { CorruptBlockError } from '../errors.ts'
import { blockKey, keyToCid } from './block-key.ts'
import { PackBuilder } from './pack-builder.ts'
import { parsePackRecord } from './pack-index.ts'
import { verifyBlock } from './verify.ts'
import type { PackIndex, PackEntry, PackRecord } from './pack-index.ts'
import type { S3Objects } from './s3-objects.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface ColdStoreInit {
  objects: S3Objects
  index: PackIndex
  /** Key prefix in the bucket (`''` or ending in `/`). */
  prefix: string
  /** Largest pack in bytes. */
  packSize: number
  /** Told of each block that failed its hash when read from the bucket. */
  onCorrupt?(cid: CID, pack: string): void
}

/** The cold tier's health as the last request found it. */
export interface ColdHealth {
  healthy: boolean
  /** The last failure's one-line message, while unhealthy. */
  error?: string
  endpoint: string
  bucket: string
}

export interface ColdWriteResult { packs: number, blocks: number, bytes: number }

export class ColdStore {
  private readonly objects: S3Objects
  private readonly index: PackIndex
  private readonly prefix: string
  private readonly packSize: number
  private readonly onCorrupt: ColdStoreInit['onCorrupt']
  private readonly inflight = new Map<string, Promise<Uint8Array | undefined>>()
  private readonly buffer = new Map<string, Uint8Array>()
  private bufferBytes = 0
  private planning: Promise<unknown> = Promise.resolve()
  private readonly records = new Map<string, PackRecord>()
  /** Per pack, the index of the block after the last run fetched from it (to tell sequential reads). */
  private readonly runEnds = new Map<string, number>()
  private lastError: string | undefined
  private segment = 0
  /** Blocks that failed their hash since start. */
  quarantined = 0

  constructor (init: ColdStoreInit) {
    this.objects = init.objects
    this.index = init.index
    this.prefix = init.prefix
    this.packSize = init.packSize
    this.onCorrupt = init.onCorrupt
  }

  get requests (): S3Objects['requests'] { return this.objects.requests }

  health (): ColdHealth {
    return { healthy: this.lastError == null, ...(this.lastError == null ? {} : { error: this.lastError }), endpoint: this.objects.endpoint, bucket: this.objects.bucket }
  }

  /**
   * Load the index objects of packs this data directory does not know (all of
   * them, for a fresh one). One LIST request per 1,000 packs, one GET per
   * unknown pack. Also the start's check of the credentials: a failure is
   * returned (and kept in `health()`), not thrown, so warm content stays served.
   */
  async open (options: AbortOptions = {}): Promise<{ loaded: number, error?: Error }> {
    let loaded = 0
    try {
      for await (const key of this.objects.list(this.prefix + 'index/', options)) {
        const id = /([0-9a-f]{64})\.json$/.exec(key)?.[1]
        if (id == null || await this.index.pack(id) != null) continue
        const body = await this.tracked(this.objects.get(key, undefined, options))
        if (body == null) continue
        await this.index.add(parsePackRecord(new TextDecoder().decode(body), id))
        loaded++
      }
      this.lastError = undefined
      return { loaded }
    } catch (err: any) {
      this.note(err)
      return { loaded, error: err }
    }
  }

  close (): void {
    this.objects.destroy()
  }

  async has (cid: CID): Promise<boolean> {
    return await this.index.locate(blockKey(cid)) != null
  }

  /** Bytes of the block in the cold tier, or undefined. */
  async sizeOf (cid: CID): Promise<number | undefined> {
    return (await this.index.locate(blockKey(cid)))?.length
  }

  /**
   * The verified bytes of a block from the bucket.
   *
   * @throws interface-store NotFoundError when not in the cold tier, or corrupt there (then quarantined)
   * @throws S3UnavailableError | S3AccessDeniedError when the bucket cannot be read
   */
  async getBytes (cid: CID, options: AbortOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted()
    const key = blockKey(cid)
    const pending = this.takeBuffered(key) ?? this.inflight.get(key) ?? await this.plan(key, options)
    const bytes = await pending
    this.dropBuffered(key)
    if (bytes == null) {
      const err = new StoreNotFoundError(`block ${cid} in the cold tier is corrupt`)
      err.cause = new CorruptBlockError(cid.toString())
      throw err
    }
    return bytes
  }

  /**
   * Upload the blocks not in the cold tier yet, packed, in the order given
   * (a DAG's blocks in file order make a file's read one run). Resolves once
   * every pack, its index object and its local index entries are written:
   * only then may warm copies be removed.
   */
  async put (root: CID, blocks: AsyncIterable<{ cid: CID, bytes: Uint8Array }>, options: AbortOptions = {}): Promise<ColdWriteResult> {
    const segment = this.segment++
    const result: ColdWriteResult = { packs: 0, blocks: 0, bytes: 0 }
    let pack: PackBuilder | undefined
    let uploading: Promise<void> | undefined
    const flush = async (full: PackBuilder): Promise<void> => {
      await uploading // one pack uploads while the next fills
      uploading = this.upload(full, options).then(() => { result.packs++ })
      uploading.catch(() => {})
    }
    for await (const { cid, bytes } of blocks) {
      options.signal?.throwIfAborted()
      const key = blockKey(cid)
      if (pack?.holds(key) === true || await this.index.locate(key) != null) continue
      if (pack?.wouldOverflow(cid, bytes.byteLength) === true) {
        await flush(pack)
        pack = undefined
      }
      pack ??= new PackBuilder(root, this.packSize)
      pack.append(cid, bytes, segment)
      result.blocks++
      result.bytes += bytes.byteLength
    }
    if (pack != null) await flush(pack)
    await uploading
    return result
  }

  /**
   * Delete what `keep` rejects: blocks leave the index; a pack left with no
   * block is deleted from the bucket with its index object, a pack with some
   * left gets a new index object (so a rebuild does not bring the rest back).
   */
  async collect (keep: (key: string) => boolean, options: AbortOptions & { onRemoved?(key: string): void } = {}): Promise<{ removedBlocks: number, freedBytes: number, deletedPacks: number }> {
    let removedBlocks = 0
    let freedBytes = 0
    let deletedPacks = 0
    const records: PackRecord[] = []
    for await (const record of this.index.packs(options)) records.push(record)
    for (const record of records) {
      const live = record.blocks.filter(([key]) => keep(key))
      if (live.length === record.blocks.length) continue
      const gone = record.blocks.filter(([key]) => !keep(key))
      if (live.length === 0) {
        await this.tracked(this.objects.delete(this.indexKey(record.pack), options))
        await this.tracked(this.objects.delete(this.packKey(record.pack), options))
        await this.index.remove(gone.map(([key]) => key), { drop: [record.pack] })
        deletedPacks++
        freedBytes += record.size
      } else {
        const kept: PackRecord = { ...record, blocks: live }
        await this.tracked(this.objects.put(this.indexKey(record.pack), new TextEncoder().encode(JSON.stringify(kept)), options))
        await this.index.remove(gone.map(([key]) => key), { put: [kept] })
      }
      this.records.delete(record.pack)
      for (const [key] of gone) {
        this.dropBuffered(key)
        options.onRemoved?.(key)
      }
      removedBlocks += gone.length
    }
    return { removedBlocks, freedBytes, deletedPacks }
  }

  /** Packs, blocks and bytes (of blocks) the local index holds. */
  async stats (options: AbortOptions = {}): Promise<{ packs: number, blocks: number, bytes: number }> {
    const out = { packs: 0, blocks: 0, bytes: 0 }
    for await (const record of this.index.packs(options)) {
      out.packs++
      out.blocks += record.blocks.length
      for (const [, , length] of record.blocks) out.bytes += length
    }
    return out
  }

  private async upload (pack: PackBuilder, options: AbortOptions): Promise<void> {
    const { bytes, record } = pack.finish()
    // the pack, then its index object, then the local index: a crash between leaves an
    // unreferenced object in the bucket, never an index entry without its bytes
    await this.tracked(this.objects.put(this.packKey(record.pack), bytes, options))
    await this.tracked(this.objects.put(this.indexKey(record.pack), new TextEncoder().encode(JSON.stringify(record)), options))
    await this.index.add(record)
  }

  /** Decide the run that fetches `key` and register every block of it as in flight (one planner at a time, so runs never overlap). */
  private async plan (key: string, options: AbortOptions): Promise<Promise<Uint8Array | undefined>> {
    const planned = this.planning.then(async () => {
      const ready = this.takeBuffered(key) ?? this.inflight.get(key)
      if (ready != null) return { pending: ready }
      const at = await this.index.locate(key)
      if (at == null) throw new StoreNotFoundError(`block ${keyToCid(key)} not found in the cold tier`)
      const record = await this.record(at.pack)
      const first = record.blocks.findIndex(([k]) => k === key)
      const run: PackEntry[] = [record.blocks[first] as PackEntry]
      // a read from the start of an upload, or one that continues the last run, is sequential: a long
      // run; a read from the middle of one (a seek, a small file's neighbour) starts short
      const sequential = first === 0 || record.blocks[first - 1]?.[3] !== run[0]![3] || this.runEnds.get(record.pack) === first
      const cap = sequential ? COLD_READ_RUN_BYTES : COLD_READ_FIRST_RUN_BYTES
      for (let i = first + 1; i < record.blocks.length; i++) {
        const next = record.blocks[i] as PackEntry
        const last = run[run.length - 1] as PackEntry
        if (next[3] !== last[3] || next[1] + next[2] - run[0]![1] > cap || this.inflight.has(next[0]) || this.buffer.has(next[0])) break
        run.push(next)
      }
      this.runEnds.delete(record.pack)
      this.runEnds.set(record.pack, first + run.length)
      if (this.runEnds.size > 64) this.runEnds.delete(this.runEnds.keys().next().value as string)
      return { pending: this.fetchRun(record.pack, run, key, options) }
    })
    this.planning = planned.catch(() => {})
    return (await planned).pending
  }

  /**
   * One ranged GET for a run, parsed as it streams: each block is copied out of the body,
   * hashed, and handed to its reader as soon as its last byte arrives (so a reader starts
   * before the run has arrived, and no run is ever held whole); the others wait, bounded, for
   * the reads that follow.
   */
  private fetchRun (pack: string, run: PackEntry[], wanted: string, options: AbortOptions): Promise<Uint8Array | undefined> {
    const waiters = new Map<string, { resolve(bytes: Uint8Array | undefined): void, reject(err: Error): void }>()
    for (const [key] of run) {
      const one = new Promise<Uint8Array | undefined>((resolve, reject) => { waiters.set(key, { resolve, reject }) })
      one.catch(() => {})
      this.inflight.set(key, one)
    }
    const settle = (key: string, bytes: Uint8Array | undefined): void => {
      this.inflight.delete(key)
      if (bytes != null && key !== wanted) this.keep(key, bytes)
      waiters.get(key)?.resolve(bytes)
      waiters.delete(key)
    }
    const start = run[0]![1]
    const last = run[run.length - 1] as PackEntry
    const end = last[1] + last[2]
    void (async () => {
      const body = await this.tracked(this.objects.stream(this.packKey(pack), { start, end }, options))
      if (body == null) throw new StoreNotFoundError(`pack ${pack} is missing from the bucket`)
      let at = start // the pack offset of the next body byte
      let i = 0
      let block: Uint8Array | undefined
      let filled = 0
      const corrupt: string[] = []
      for await (const chunk of body) {
        let pos = 0
        while (pos < chunk.byteLength && i < run.length) {
          const [key, offset, length] = run[i] as PackEntry
          if (at < offset) { // a frame header between blocks
            const skip = Math.min(offset - at, chunk.byteLength - pos)
            pos += skip
            at += skip
            continue
          }
          block ??= new Uint8Array(length)
          const take = Math.min(length - filled, chunk.byteLength - pos)
          block.set(chunk.subarray(pos, pos + take), filled)
          filled += take
          pos += take
          at += take
          if (filled < length) continue
          const cid = keyToCid(key)
          if (verifyBlock(cid, block)) {
            settle(key, block)
          } else {
            corrupt.push(key)
            this.quarantined++
            this.onCorrupt?.(cid, pack)
            settle(key, undefined)
          }
          block = undefined
          filled = 0
          i++
        }
      }
      if (corrupt.length > 0) await this.index.remove(corrupt)
      if (i < run.length) throw new StoreNotFoundError(`pack ${pack} in the bucket is shorter than its index says`)
    })().catch((err: Error) => {
      for (const [key, waiter] of waiters) {
        this.inflight.delete(key)
        waiter.reject(err)
      }
      waiters.clear()
    })
    return this.inflight.get(wanted) as Promise<Uint8Array | undefined>
  }

  private async record (id: string): Promise<PackRecord> {
    let record = this.records.get(id)
    if (record == null) {
      record = await this.index.pack(id)
      if (record == null) throw new StoreNotFoundError(`pack ${id} is not in the local index`)
      if (this.records.size >= 16) this.records.delete(this.records.keys().next().value as string)
      this.records.set(id, record)
    }
    return record
  }

  private keep (key: string, bytes: Uint8Array): void {
    this.buffer.set(key, bytes)
    this.bufferBytes += bytes.byteLength
    while (this.bufferBytes > COLD_RUN_BUFFER_BYTES) this.dropBuffered(this.buffer.keys().next().value as string)
  }

  private takeBuffered (key: string): Promise<Uint8Array> | undefined {
    const bytes = this.buffer.get(key)
    return bytes == null ? undefined : Promise.resolve(bytes)
  }

  private dropBuffered (key: string): void {
    const bytes = this.buffer.get(key)
    if (bytes == null) return
    this.buffer.delete(key)
    this.bufferBytes -= bytes.byteLength
  }

  /** A request whose outcome sets the health: success clears the last error, an S3 error sets it. */
  private async tracked<T> (request: Promise<T>): Promise<T> {
    try {
      const value = await request
      this.lastError = undefined
      return value
    } catch (err: any) {
      this.note(err)
      throw err
    }
  }

  private note (err: any): void {
    if (err?.name === 'S3UnavailableError' || err?.name === 'S3AccessDeniedError') this.lastError = `${err.name}: ${err.message}`
  }

  private packKey (id: string): string { return `${this.prefix}packs/${id}.car` }
  private indexKey (id: string): string { return `${this.prefix}index/${id}.json` }
}
