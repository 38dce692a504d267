/**
 * The warm tier: one file per block under `<dataDir>/blocks`, in Kubo's flatfs
 * layout. Unlike blockstore-fs it writes each block to a unique temp name and
 * renames it into place (fsync by policy), sweeps temp files left by a crash
 * when it opens, rewrites a block whose file has the wrong size, and verifies
 * every block it reads against its CID. `stage()` lets an importer write a
 * block while it is still hashing it.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { NotFoundError as StoreNotFoundError } from 'interface-store'
import { CorruptBlockError } from '../errors.ts'
import { blockKey, keyToCid, shardOf } from './block-key.ts'
import { createFile, discardFile, readWholeFile, rename, statOrUndefined, unlink, writeAndClose, writeNewFile } from './file-io.ts'
import { IDENTITY_CODE, verifyBlock } from './verify.ts'
import type { BlockReadOptions } from './block-source.ts'
import type { ColdStore } from './cold-store.ts'
import type { HotCache } from './hot-cache.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Blockstore, InputPair, Pair } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

const EXTENSION = '.data'
const TEMP_PREFIX = '.tmp-'

/** When block files are flushed to disk. */
export type FsyncPolicy = 'always' | 'never'

export interface FsBlockstoreInit {
  /**
   * `always`: fdatasync each block file before the rename and the shard
   * directory after it, so a block that `put` reported survives power loss.
   * `never`: leave flushing to the OS (a crash of the process loses nothing;
   * a power loss may lose recent blocks, which `verify` then reports).
   *
   * @default 'never'
   */
  fsync?: FsyncPolicy
  /** Called once for each block that fails its hash on read (it is then treated as missing). */
  onCorrupt?(cid: CID, file: string): void
}

/** The tiers around the warm store: a memory cache in front, a cold store behind (see `attachTiers`). */
export interface BlockTiers {
  hot?: HotCache
  cold?: ColdStore
}

export interface GetBytesOptions extends BlockReadOptions {
  /** Read the warm tier (the disk) alone: no hot hit or admission, no cold fallback (verify, gc's check, tiering). @default false */
  noCache?: boolean
}

/**
 * A block whose write has started before its CID is known. `commit(cid)` gives
 * it its name; it resolves to false when that block was stored already (the
 * staged copy is then dropped).
 */
export interface StagedBlock {
  commit(cid: CID, options?: AbortOptions): Promise<boolean>
}

/** A block file's key, shard directory name, that directory and the file's path. */
interface Place {
  key: string
  shard: string
  dir: string
  file: string
}

/** An open, empty temp file at the top of the blocks directory, waiting for the next `stage()`. */
interface Spare {
  fd: number
  file: string
}

export class FsBlockstore implements Blockstore {
  readonly path: string
  private readonly fsync: FsyncPolicy
  private readonly onCorrupt: ((cid: CID, file: string) => void) | undefined
  private readonly knownShards = new Set<string>()
  private readonly tempNonce = randomBytes(4).toString('hex')
  private tempSequence = 0
  private spare: Spare | undefined
  private spareOpening: Promise<void> | undefined
  private closed = false
  private hot: HotCache | undefined
  private cold: ColdStore | undefined

  constructor (location: string, init: FsBlockstoreInit = {}) {
    this.path = path.resolve(location)
    this.fsync = init.fsync ?? 'never'
    this.onCorrupt = init.onCorrupt
  }

  /** Create the directory and remove temp files a crash left behind. Returns how many were removed. */
  async open (): Promise<number> {
    await fs.mkdir(this.path, { recursive: true })
    this.closed = false
    let removed = 0
    for (const shard of await fs.readdir(this.path)) {
      const dir = path.join(this.path, shard)
      if (shard.startsWith(TEMP_PREFIX)) { // a staged block's temp file
        await fs.rm(dir, { force: true })
        removed++
        continue
      }
      let names: string[]
      try {
        names = await fs.readdir(dir)
      } catch {
        continue
      }
      this.knownShards.add(shard)
      for (const name of names) {
        if (name.startsWith(TEMP_PREFIX)) {
          await fs.rm(path.join(dir, name), { force: true })
          removed++
        }
      }
    }
    return removed
  }

  /**
   * Put the hot tier in front of this store and the cold tier behind it:
   * reads then go memory → disk → bucket, `has` answers for disk and bucket
   * (the bucket's from its local index), `delete` removes the disk copy and
   * the memory copy, never the bucket's (gc does that through the cold store).
   */
  attachTiers (tiers: BlockTiers): void {
    this.hot = tiers.hot
    this.cold = tiers.cold
  }

  /** Removes the spare temp file. */
  async close (): Promise<void> {
    this.closed = true
    await this.spareOpening
    const spare = this.spare
    this.spare = undefined
    if (spare != null) await discardFile(spare.fd, spare.file)
  }

  /** Absolute path of the file that holds (or would hold) a block. */
  fileOf (cid: CID): string {
    const key = blockKey(cid)
    return path.join(this.path, shardOf(key), key + EXTENSION)
  }

  async put (cid: CID, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: AbortOptions = {}): Promise<CID> {
    options.signal?.throwIfAborted()
    if (cid.multihash.code === IDENTITY_CODE) return cid
    const bytes = val instanceof Uint8Array ? val : await collect(val)
    const place = this.placeOf(cid)
    // A file of the right size is taken as present (reads verify it); a file of
    // the wrong size was cut short by a crash and is rewritten.
    const existing = await statOrUndefined(place.file)
    if (existing?.size === bytes.byteLength) return cid
    await this.ensureShard(place)
    const temp = path.join(place.dir, this.tempName(place.key))
    await writeNewFile(temp, bytes, this.fsync === 'always')
    await this.moveIntoPlace(temp, place)
    return cid
  }

  /**
   * Start writing `bytes`, whose CID the caller is computing, into a temp file
   * opened ahead of time. The write is submitted before this returns, so the
   * caller's hashing on the main thread runs alongside it on the thread pool
   * (hash-then-write puts them one after the other: ~0.5 ms per MiB here).
   * Returns undefined when no temp file is open yet; the caller then hashes
   * first and uses `put`.
   */
  stage (bytes: Uint8Array): StagedBlock | undefined {
    const spare = this.spare
    this.spare = undefined
    this.openSpare()
    if (spare == null) return undefined
    const written = writeAndClose(spare.fd, spare.file, bytes, this.fsync === 'always')
    written.catch(() => {}) // awaited by commit
    return {
      commit: async (cid, options = {}) => await this.commitStaged(spare.file, written, bytes.byteLength, cid, options)
    }
  }

  private openSpare (): void {
    if (this.spare != null || this.spareOpening != null || this.closed) return
    const file = path.join(this.path, this.tempName('staged'))
    this.spareOpening = createFile(file).then(async fd => {
      if (this.closed) await discardFile(fd, file)
      else this.spare = { fd, file }
    }, () => {}).finally(() => { this.spareOpening = undefined })
  }

  /** Name a staged temp file after its block, unless that block is stored already. */
  private async commitStaged (temp: string, written: Promise<void>, size: number, cid: CID, options: AbortOptions): Promise<boolean> {
    const place = this.placeOf(cid)
    // the existence check and the shard directory run while the write finishes
    const [existing] = await Promise.all([statOrUndefined(place.file), this.ensureShard(place), written])
    if (existing?.size === size || options.signal?.aborted === true) {
      await unlink(temp).catch(() => {})
      options.signal?.throwIfAborted()
      return false
    }
    await this.moveIntoPlace(temp, place)
    return true
  }

  /**
   * A temp file name, unique per process (nonce) and per call (sequence): two
   * writes, even of one block, never share a temp file. Open sweeps them all.
   */
  private tempName (label: string): string {
    return `${TEMP_PREFIX}${label}-${process.pid}-${this.tempNonce}${(this.tempSequence++).toString(36)}`
  }

  /** Where a block's file goes: its key, its shard directory and its path. */
  private placeOf (cid: CID): Place {
    const key = blockKey(cid)
    const shard = shardOf(key)
    const dir = path.join(this.path, shard)
    return { key, shard, dir, file: path.join(dir, key + EXTENSION) }
  }

  private async ensureShard ({ shard, dir }: Place): Promise<void> {
    if (this.knownShards.has(shard)) return
    await fs.mkdir(dir, { recursive: true })
    this.knownShards.add(shard)
  }

  /** Rename a complete temp file to the block's name (then, with fsync always, flush the directory); the temp file is removed on failure. */
  private async moveIntoPlace (temp: string, { dir, file }: Place): Promise<void> {
    try {
      await rename(temp, file)
    } catch (err) {
      await unlink(temp).catch(() => {})
      throw err
    }
    if (this.fsync === 'always') await syncDir(dir)
  }

  async * putMany (source: Iterable<InputPair> | AsyncIterable<InputPair>, options: AbortOptions = {}): AsyncGenerator<CID> {
    for await (const { cid, bytes } of source) {
      yield await this.put(cid, bytes, options)
    }
  }

  /**
   * The verified bytes of a block. A block that fails its hash is reported
   * through `onCorrupt`, then treated as missing.
   *
   * @throws interface-store NotFoundError when absent or corrupt
   */
  async getBytes (cid: CID, options: GetBytesOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted()
    if (cid.multihash.code === IDENTITY_CODE) return cid.multihash.digest
    const key = this.hot == null || options.noCache === true ? undefined : blockKey(cid)
    const cached = key == null ? undefined : this.hot?.get(key)
    if (cached != null) return cached
    if (this.cold != null && options.noCache !== true && this.cold.fetching(cid)) {
      // on its way from the bucket (a cold read's run): no disk lookup per block; corrupt there, the disk is tried
      try {
        const fetched = await this.cold.getBytes(cid, options)
        if (key != null) this.hot?.admit(key, fetched, { readLength: options.readLength })
        return fetched
      } catch (err: any) {
        if (err.name !== 'NotFoundError') throw err
      }
    }
    const file = this.fileOf(cid)
    let bytes: Uint8Array
    try {
      bytes = await readWholeFile(file)
    } catch (err: any) {
      if (err.code !== 'ENOENT') throw err
      if (this.cold == null || options.noCache === true) throw new StoreNotFoundError(`block ${cid} not found`)
      bytes = await this.cold.getBytes(cid, options) // verified there
      if (key != null) this.hot?.admit(key, bytes, { readLength: options.readLength })
      return bytes
    }
    options.signal?.throwIfAborted()
    if (!verifyBlock(cid, bytes)) {
      this.onCorrupt?.(cid, file)
      const err = new StoreNotFoundError(`block ${cid} is corrupt`)
      err.cause = new CorruptBlockError(cid.toString())
      throw err
    }
    if (key != null) this.hot?.admit(key, bytes, { readLength: options.readLength })
    return bytes
  }

  async * get (cid: CID, options: AbortOptions = {}): AsyncGenerator<Uint8Array> {
    yield await this.getBytes(cid, options)
  }

  async * getMany (source: Iterable<CID> | AsyncIterable<CID>, options: AbortOptions = {}): AsyncGenerator<Pair> {
    for await (const cid of source) {
      const bytes = await this.getBytes(cid, options)
      yield { cid, bytes: once(bytes) }
    }
  }

  async has (cid: CID, options: AbortOptions = {}): Promise<boolean> {
    options.signal?.throwIfAborted()
    if (cid.multihash.code === IDENTITY_CODE) return true
    try {
      await fs.access(this.fileOf(cid))
      return true
    } catch {
      return await this.cold?.has(cid) ?? false
    }
  }

  /** True when the block's file is on disk (the warm tier alone). */
  async hasWarm (cid: CID): Promise<boolean> {
    if (cid.multihash.code === IDENTITY_CODE) return true
    return await statOrUndefined(this.fileOf(cid)) != null
  }

  /** Size in bytes of the stored file, or undefined when absent. */
  async sizeOf (cid: CID): Promise<number | undefined> {
    const stat = await fs.stat(this.fileOf(cid)).catch(() => undefined)
    return stat?.size
  }

  async delete (cid: CID, options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    this.hot?.delete(blockKey(cid))
    await fs.rm(this.fileOf(cid), { force: true })
  }

  async * deleteMany (source: Iterable<CID> | AsyncIterable<CID>, options: AbortOptions = {}): AsyncGenerator<CID> {
    for await (const cid of source) {
      await this.delete(cid, options)
      yield cid
    }
  }

  /** Every stored block as a raw CIDv1 with its file size, without reading contents. */
  async * list (options: AbortOptions = {}): AsyncGenerator<{ cid: CID, size: number }> {
    for (const shard of (await fs.readdir(this.path)).sort()) {
      options.signal?.throwIfAborted()
      const dir = path.join(this.path, shard)
      const entries = await fs.readdir(dir).catch(() => [] as string[])
      for (const name of entries) {
        if (!name.endsWith(EXTENSION) || name.startsWith(TEMP_PREFIX)) continue
        const stat = await fs.stat(path.join(dir, name)).catch(() => undefined)
        if (stat == null) continue
        yield { cid: keyToCid(name.slice(0, -EXTENSION.length)), size: stat.size }
      }
    }
  }

  async * getAll (options: AbortOptions = {}): AsyncGenerator<Pair> {
    for await (const { cid } of this.list(options)) {
      const bytes = await this.getBytes(cid, options).catch(() => undefined)
      if (bytes != null) yield { cid, bytes: once(bytes) }
    }
  }
}

async function syncDir (dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function collect (source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return parts.length === 1 && parts[0] != null ? parts[0] : Buffer.concat(parts)
}

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

