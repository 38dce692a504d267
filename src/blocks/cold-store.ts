/**
 * The cold tier: blocks in S3-compatible object storage, packed. Blocks are
 * appended to CAR packs of up to `packSize` bytes; each pack is uploaded with
 * an index object beside it, then recorded in the local index (PackIndex), so
 * `has` is a local lookup and a read is one ranged GET for a run of blocks
 * (those that follow the wanted one in the same pack and the same upload, up
 * to COLD_READ_RUN_BYTES for a sequential read, COLD_READ_FIRST_RUN_BYTES
 * from the middle of an upload), parsed as it streams. Every block read is hashed against its CID: one
 * that fails is dropped from the index (quarantined) and reported missing, so
 * readers go on to peers; it is never served (the read side: cold-reader.ts).
 */
import { blockKey } from './block-key.ts'
import { ColdReader } from './cold-reader.ts'
import { ColdWriter } from './cold-writer.ts'
import { parsePackRecord } from './pack-index.ts'
import type { ColdWriteResult } from './cold-writer.ts'
import type { SpooledPack } from './pack-builder.ts'
import type { PackIndex, PackRecord } from './pack-index.ts'
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
  /** Where packs are spooled while built (the blockstore's directory: its open sweeps leftovers). */
  spoolDir: string
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

export type { ColdWriteResult }

export class ColdStore {
  private readonly objects: S3Objects
  private readonly index: PackIndex
  private readonly prefix: string
  private readonly packSize: number
  private readonly spoolDir: string
  private readonly onCorrupt: ColdStoreInit['onCorrupt']
  private readonly reader: ColdReader
  private lastError: string | undefined
  private segment = 0

  constructor (init: ColdStoreInit) {
    this.objects = init.objects
    this.index = init.index
    this.prefix = init.prefix
    this.packSize = init.packSize
    this.spoolDir = init.spoolDir
    this.onCorrupt = init.onCorrupt
    this.reader = new ColdReader({
      index: this.index,
      streamBlocks: async (pack, range, spans, options) => await this.tracked(this.objects.streamBlocks(this.packKey(pack), range, spans, options)),
      onCorrupt: (cid, pack) => this.onCorrupt?.(cid, pack)
    })
  }

  /** Blocks that failed their hash since start. */
  get quarantined (): number { return this.reader.quarantined }

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

  /** True when a read of the block is under way here (a sequential cold read's next blocks): readers skip the disk lookup. */
  fetching (cid: CID): boolean {
    return this.reader.fetching(cid)
  }

  /**
   * The verified bytes of a block from the bucket.
   *
   * @throws interface-store NotFoundError when not in the cold tier, or corrupt there (then quarantined)
   * @throws S3UnavailableError | S3AccessDeniedError when the bucket cannot be read
   */
  async getBytes (cid: CID, options: AbortOptions = {}): Promise<Uint8Array> {
    return await this.reader.getBytes(cid, options)
  }

  /**
   * Upload the blocks not in the cold tier yet, packed, in the order given
   * (a DAG's blocks in file order make a file's read one run). Resolves once
   * every pack, its index object and its local index entries are written:
   * only then may warm copies be removed.
   */
  async put (root: CID, blocks: AsyncIterable<{ cid: CID, bytes: Uint8Array }>, options: AbortOptions = {}): Promise<ColdWriteResult> {
    const writer = this.writer({ root, signal: options.signal })
    try {
      for await (const { cid, bytes } of blocks) await writer.append(cid, bytes)
      return await writer.finish()
    } catch (err) {
      await writer.discard()
      throw err
    }
  }

  /**
   * An upload whose blocks the caller appends one by one (an import straight
   * to the cold tier): `finish()` resolves once every pack is uploaded and in
   * the local index; after a failure, `discard()` removes the spool. Without
   * `root`, each pack's CAR header names its first block.
   */
  writer (options: AbortOptions & { root?: CID } = {}): ColdWriter {
    return new ColdWriter({ index: this.index, packSize: this.packSize, spoolDir: this.spoolDir, segment: this.segment++, root: options.root, upload: async (pack, o) => { await this.upload(pack, o) } }, { signal: options.signal })
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
      this.reader.forget(record.pack, gone.map(([key]) => key))
      for (const [key] of gone) options.onRemoved?.(key)
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

  private async upload ({ record, file, md5, discard }: SpooledPack, options: AbortOptions): Promise<void> {
    try {
      // the pack, then its index object, then the local index: a crash between leaves an
      // unreferenced object in the bucket, never an index entry without its bytes
      await this.tracked(this.objects.putFile(this.packKey(record.pack), file, record.size, md5, options))
      await this.tracked(this.objects.put(this.indexKey(record.pack), new TextEncoder().encode(JSON.stringify(record)), options))
      await this.index.add(record)
    } finally {
      await discard()
    }
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
