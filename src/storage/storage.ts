/**
 * `IPFSKitStorage`: the seed plan's storage API over a real node. Content is
 * imported as UnixFS with Kubo's `unixfs-v1-2025` profile (same bytes → same
 * CID as `ipfs add --cid-version 1` with that profile), streamed, never held
 * whole in memory.
 */
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { CustomProgressEvent } from 'progress-events'
import { MAX_RETRIEVE_BYTES } from '../constants.ts'
import { InvalidInputError, NotFoundError, OfflineError, TooLargeError } from '../errors.ts'
import { assertAllowedCid, blockKey, parseCid, verifyBlock } from '../blocks/index.ts'
import { assertPinOrigin, collectGarbage, heldSource, parseReplicas, walkDag } from '../pins/index.ts'
import { evictToTarget } from './eviction.ts'
import { fileSize, importFile, readFile, sizeOfRoot, withBlock } from '../unixfs/index.ts'
import { toByteSource } from './input.ts'
import { verifyRepo } from './verify-repo.ts'
import { BackendFailures, importToCold, requestedBackends, routeToBackends, straightToCold } from './routing.ts'
import type { TierPolicy, TierName, TierOptions, TierSizes } from './tiers.ts'
import type { EvictionResult } from './eviction.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { FileIndex } from './file-index.ts'
import type { Lifecycle } from '../lifecycle.ts'
import type { StoreInput } from './input.ts'
import type { VerifyOptions, VerifyResult } from './verify-repo.ts'
import type { BackendName, BackendStatus, BlockSourceOptions, FileEntry, PinEntry, PinOptions, PutBlockOptions, UnpinOptions, RetrieveOptions, StoreOptions, StreamOptions } from './types.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { BatchOp } from '../repo/index.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { GcOptions, GcResult, Hold, Holds, PinIndex, RwLock } from '../pins/index.ts'
import type { AbortOptions, Libp2p, PeerId } from '@libp2p/interface'

const log = logger('ipfs-kit:storage')

export interface StorageComponents {
  blockstore: FsBlockstore
  files: FileIndex
  pins: PinIndex
  /** The file index's hold on each listed file's blocks (not a pin: gc ignores it; delete and eviction honour it). */
  fileRefs: PinIndex
  gcLock: RwLock
  /** Temporary holds that gc and eviction honour. */
  holds: Holds
  /** Local blocks only. */
  local: BlockSource
  /** Local, then peers when online. */
  network: BlockSource
  libp2p: Libp2p | undefined
  /** A source that fetches from peers with a given per-block timeout; absent offline. */
  fetcher?(options: FetcherOptions): BlockSource
  peerId: PeerId
  /** Blocks moved to quarantine since start. */
  quarantined?(): number
  dataDir: string
  pinByDefault: boolean
  /** The kit's life: every call after stop() raises KitStoppedError. @default always running */
  lifecycle?: Lifecycle
  /** Hot and cold tiers and their policy. */
  tiers: TierPolicy
  /** `storage_policy.default_backends`. @default ['local', 'ipfs'] */
  defaultBackends?: BackendName[]
  /** Called with the root of each completed read (retrieve, stream): access statistics (src/seeding). */
  onRead?(root: CID): void
  /** Last local read of a root (access statistics): the order in which eviction drops weak (auto-only) pins. */
  lastRead?(cid: string): number | undefined
  /** Ask the cluster to keep a root pinned here on `replicas` holders (src/seeding). */
  replicate?(cid: string, replicas: unknown): Promise<void>
}

export class IPFSKitStorage {
  private readonly failures = new BackendFailures()

  constructor (private readonly c: StorageComponents) {}

  /** True when the node runs with libp2p (not offline). */
  isAvailable (): boolean {
    if (this.c.lifecycle?.stopped === true) return false
    return this.c.libp2p != null && this.c.libp2p.status === 'started'
  }

  /**
   * Store bytes, a string, a file (`{ path }`) or a stream; resolves to the CID
   * once every block is written (and pinned, with `pin`).
   *
   * @example
   * const cid = await kit.storage.store('hello world') // bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e
   */
  async store (input: StoreInput, options: StoreOptions = {}): Promise<string> {
    this.assertRunning('store')
    options.signal?.throwIfAborted()
    if (options.filename != null && typeof options.filename !== 'string') throw new InvalidInputError('filename must be a string')
    const backends = requestedBackends(options.backends, this.c.defaultBackends ?? ['local', 'ipfs'])
    const straight = straightToCold(this.c.tiers, backends)
    // straight to cold, a file is read into reused buffers (importToCold holds each until the spool has it)
    const source = await toByteSource(input, { reuseBuffers: straight })
    const pin = options.pin ?? this.c.pinByDefault
    const listed = options.listed ?? true
    // Holding the read side of the gc lock from the first block to the pin: a
    // concurrent gc waits instead of collecting blocks of a DAG not yet pinned.
    const release = await this.c.gcLock.read({ signal: options.signal })
    let cid: CID
    let size: number
    try {
      const input = withProgress(source.stream, source.size, options)
      // s3 alone: the blocks go straight into the cold tier's packs (routing.ts)
      const result = straight
        ? await importToCold({ tiers: this.c.tiers, failures: this.failures }, input, { ...options, reused: source.reused })
        : await importFile(input, this.c.blockstore, { signal: options.signal })
      cid = result.cid
      size = result.size
      const blocks = result.blocks
      options.hold?.add(blocks.keys())
      // the pin, the file index's references and its record land in one atomic LevelDB batch
      const record = { filename: options.filename ?? null, size, modified: Date.now() }
      await this.c.pins.exclusive(async () => {
        // planned side by side (reads only), so the LevelDB round trips overlap
        const [pinOps, refOps, fileOps] = await Promise.all([
          pin ? this.c.pins.planAdd(cid, blocks).then(p => p.ops) : [],
          listed ? this.c.fileRefs.planAdd(cid, blocks).then(p => p.ops) : [],
          listed ? this.c.files.planPut(cid, record).then(op => [op]) : [] as BatchOp[]
        ])
        if (listed && options.filename != null) fileOps.push(this.c.files.planName(options.filename, cid))
        await this.c.files.commit([...pinOps, ...refOps, ...fileOps])
      })
      if (pin) options.onProgress?.(new CustomProgressEvent('storage:store:pinned', { cid: cid.toString() }))
      await routeToBackends({ tiers: this.c.tiers, failures: this.failures, announce: root => { this.announce(root) }, online: () => this.c.libp2p != null }, cid, backends, options)
    } finally {
      release()
    }
    return cid.toString()
  }

  /**
   * A temporary hold: content stored with `{ hold }` is kept by gc and
   * eviction until `hold.release()`, without being pinned.
   *
   * @example
   * const hold = kit.storage.hold()
   * try { for (const f of files) await kit.storage.store({ path: f }, { hold }) ; await kit.storage.pin(manifest) } finally { hold.release() }
   */
  hold (): Hold {
    this.assertRunning('hold')
    return this.c.holds.create()
  }

  /**
   * The CID last stored under `filename` (`store(…, { filename })`), or undefined: the seed's
   * persisted filename → CID map.
   *
   * @example
   * await kit.storage.store(bytes, { filename: 'bert/config.json' })
   * const cid = await kit.storage.resolve('bert/config.json')
   */
  async resolve (filename: string): Promise<string | undefined> {
    this.assertRunning('resolve')
    if (typeof filename !== 'string' || filename === '') throw new InvalidInputError('filename must be a non-empty string')
    return (await this.c.files.resolve(filename))?.toString()
  }

  /** A CID, or the CID stored under a filename (a string that parses as a CID is a CID); undefined for an unknown name. */
  private async rootOf (cidOrFilename: string, operation: string): Promise<CID | undefined> {
    let root: CID
    try {
      // input is checked before anything else, so a refused hash costs no I/O even on a stopped kit
      root = parseCid(cidOrFilename)
    } catch (err: any) {
      if (err.name !== 'InvalidCIDError' || typeof cidOrFilename !== 'string' || cidOrFilename === '') throw err
      this.assertRunning(operation)
      return await this.c.files.resolve(cidOrFilename)
    }
    this.assertRunning(operation)
    return root
  }

  /**
   * The whole content of a file (by CID, or by a filename it was stored under), or `undefined`
   * when it is not available (locally, or from peers when online) or no file has that name.
   * Files over MAX_RETRIEVE_BYTES must be read with `stream()`.
   */
  async retrieve (cid: string, options: RetrieveOptions = {}): Promise<Uint8Array | undefined> {
    const root = await this.rootOf(cid, 'retrieve')
    if (root == null) return undefined
    const source = options.timeoutMs != null || options.hold != null ? this.blocks({ timeoutMs: options.timeoutMs, hold: options.hold }) : this.c.network
    try {
      // the root is read (and hashed) once: for a one-block file it is the whole file
      const rootBytes = await source.getBytes(root, options)
      const size = sizeOfRoot(root, rootBytes)
      if (size > MAX_RETRIEVE_BYTES) throw new TooLargeError(cid, size, MAX_RETRIEVE_BYTES)
      this.c.files.touch(root)
      const out = new Uint8Array(size)
      let at = 0
      for await (const chunk of readFile(withBlock(source, root, rootBytes), root, options)) {
        out.set(chunk, at)
        at += chunk.byteLength
      }
      await this.c.tiers.noteRead(root)
      this.c.onRead?.(root)
      return at === size ? out : out.subarray(0, at)
    } catch (err: any) {
      if (err.name === 'NotFoundError') return undefined
      throw err
    }
  }

  /**
   * Stream a file (or a byte range of it), by CID or by a filename it was stored under. Throws
   * NotFoundError when a block is not available or no file has that name.
   */
  async * stream (cid: string, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    const root = await this.rootOf(cid, 'stream')
    if (root == null) throw new NotFoundError(cid)
    const { offset = 0, length } = options
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidInputError('offset must be a non-negative integer')
    if (length != null && (!Number.isSafeInteger(length) || length < 0)) throw new InvalidInputError('length must be a non-negative integer')
    this.c.files.touch(root)
    yield * readFile(this.c.network, root, options)
    await this.c.tiers.noteRead(root)
    this.c.onRead?.(root)
  }

  /**
   * Move a root's blocks to a tier: `cold` uploads to the S3 bucket what it lacks (packed) and
   * removes the blocks from disk and memory; `warm` copies them back to disk; `hot` to disk and
   * into memory. Pins are untouched: a pinned root in cold stays pinned. Resolves to the bytes
   * each tier then holds.
   *
   * @throws BackendDisabledError for `cold` without `backends.s3.enabled`
   * @example
   * await kit.storage.tier(cid, 'cold') // { cid, hot: 0, warm: 0, cold: 10485760 }
   */
  async tier (cid: string, to: TierName, options: TierOptions = {}): Promise<TierSizes> {
    const root = parseCid(cid)
    this.assertRunning('tier')
    const release = await this.c.gcLock.read(options)
    try {
      if (!await this.c.blockstore.has(root)) throw new NotFoundError(cid)
      return await this.c.tiers.move(root, to, options)
    } finally {
      release()
    }
  }

  /** Bytes of the root's distinct blocks in each tier (a block may be in more than one). */
  async tierSizes (cid: string, options: AbortOptions = {}): Promise<TierSizes> {
    const root = parseCid(cid)
    this.assertRunning('tierSizes')
    return await this.c.tiers.sizes(root, options)
  }

  /**
   * One pass of automatic tiering (`storage_policy.auto_tier`): roots not read or stored for
   * `demote_after` move from disk to the cold tier. Runs every AUTO_TIER_INTERVAL_MS on its own;
   * returns the roots demoted (none without a cold tier).
   */
  async autoTier (options: AbortOptions = {}): Promise<string[]> {
    this.assertRunning('autoTier')
    const release = await this.c.gcLock.read(options)
    try {
      return await this.c.tiers.demote(options)
    } finally {
      release()
    }
  }

  /** The file's size in bytes, from its root block. */
  async size (cid: string, options: AbortOptions = {}): Promise<number> {
    this.assertRunning('size')
    return await fileSize(this.c.network, parseCid(cid), options)
  }

  /** True when the root block of `cid` (or of the file last stored under that filename) is in the local store. */
  async exists (cid: string): Promise<boolean> {
    const root = await this.rootOf(cid, 'exists')
    return root != null && await this.c.blockstore.has(root)
  }

  /**
   * Pin a DAG so gc keeps it (fetching missing blocks from peers when online), for a reason
   * (`origin`, default `user`): pinning a pinned root adds its origin to the record.
   * Resolves true once the pin is durable; false when the content is not available.
   *
   * @example
   * await kit.storage.pin(cid, { origin: 'dataset' })
   */
  async pin (cid: string, options: PinOptions = {}): Promise<boolean> {
    const root = parseCid(cid)
    if (options.origin != null) assertPinOrigin(options.origin)
    if (options.replicas != null) {
      try {
        parseReplicas(options.replicas)
      } catch (err: any) {
        throw new InvalidInputError(err.message, 'give replicas as N (exactly N holders) or MIN:MAX, e.g. 2:4')
      }
    }
    this.assertRunning('pin')
    if (options.replicas != null && (this.c.replicate == null || this.c.libp2p == null)) throw new OfflineError('pin with replicas')
    let pinned: boolean
    const release = await this.c.gcLock.read(options)
    try {
      pinned = await this.pinUnderLock(root, options)
    } finally {
      release()
    }
    if (pinned && options.replicas != null) await this.c.replicate?.(root.toString(), options.replicas)
    return pinned
  }

  /** Every pinned root, with when it was pinned, how many distinct blocks it holds and why (`origins`). */
  async * pins (options: AbortOptions = {}): AsyncGenerator<PinEntry> {
    this.assertRunning('pins')
    for await (const pin of this.c.pins.ls()) {
      options.signal?.throwIfAborted()
      yield { cid: pin.cid.toString(), created: pin.created, blocks: pin.blocks, origins: pin.origins }
    }
  }

  /**
   * Blocks as every reader in the kit gets them: local first (hash-verified on read), then, online,
   * from peers through the transfer engine with bitswap as the fallback (verified, written locally,
   * counted in the metrics). A block no peer sends within `timeoutMs` is NotFoundError.
   *
   * @example
   * const bytes = await kit.storage.blocks({ timeoutMs: 5000 }).getBytes(cid)
   */
  blocks (options: BlockSourceOptions = {}): BlockSource {
    this.assertRunning('blocks')
    const source = options.local === true ? this.c.local : options.timeoutMs == null || this.c.fetcher == null ? this.c.network : this.c.fetcher({ timeoutMs: options.timeoutMs })
    return options.hold == null ? source : heldSource(source, options.hold)
  }

  /**
   * Write one block the caller has (an RPC `block/put`, a CAR import, a directory node), after
   * checking that its bytes hash to `cid`. With `pin`, the block is pinned (the DAG under it must
   * be complete, here or from peers) before gc can run; with `hold`, it is held until released.
   *
   * @throws InvalidInputError when the bytes do not hash to `cid`
   */
  async putBlock (cid: CID, bytes: Uint8Array, options: PutBlockOptions = {}): Promise<CID> {
    this.assertRunning('putBlock')
    options.signal?.throwIfAborted()
    assertAllowedCid(cid)
    if (!verifyBlock(cid, bytes)) throw new InvalidInputError(`the bytes given for block ${cid} do not hash to it`)
    const release = await this.c.gcLock.read(options)
    try {
      options.hold?.add([blockKey(cid)])
      await this.c.blockstore.put(cid, bytes, options)
      if (options.pin === true && !await this.pinUnderLock(cid, options)) throw new NotFoundError(cid.toString())
    } finally {
      release()
    }
    return cid
  }

  /** @throws KitStoppedError after the kit's stop() */
  protected assertRunning (operation: string): void {
    this.c.lifecycle?.assertRunning(`storage.${operation}`)
  }

  /** `pin` with the read side of the gc lock already held. */
  private async pinUnderLock (root: CID, options: PinOptions): Promise<boolean> {
    const origin = options.origin ?? 'user'
    try {
      if (await this.c.pins.addOrigin(root, origin) != null) return true
      const blocks = await walkDag(this.c.network, root, options)
      await this.c.pins.addBlocks(root, blocks, origin)
      if (await this.c.files.get(root) == null) {
        await this.c.fileRefs.addBlocks(root, blocks)
        await this.c.files.put(root, { filename: null, size: await fileSize(this.c.local, root).catch(() => 0), modified: Date.now() })
      }
      return true
    } catch (err: any) {
      if (err.name === 'NotFoundError') return false
      throw err
    }
  }

  /**
   * Remove a pin; false when `cid` was not pinned. With `origin`, only that reason goes: the root
   * stays pinned while another is left (false when it was not pinned for that reason). The
   * blocks stay until gc or delete.
   *
   * @example
   * await kit.storage.unpin(cid, { origin: 'dataset' }) // a user pin on the same root stays
   */
  async unpin (cid: string, options: UnpinOptions = {}): Promise<boolean> {
    const root = parseCid(cid)
    if (options.origin != null) assertPinOrigin(options.origin)
    this.assertRunning('unpin')
    return await this.c.pins.rm(root, options.origin)
  }

  /**
   * Unpin `cid`, forget it in the file index, and remove its blocks that no
   * pin and no other listed file holds. False when there was nothing to delete.
   */
  async delete (cid: string, options: AbortOptions = {}): Promise<boolean> {
    const root = parseCid(cid)
    this.assertRunning('delete')
    const release = await this.c.gcLock.write(options)
    try {
      const listed = await this.c.fileRefs.rm(root)
      const unpinned = await this.c.pins.rm(root)
      const present = await this.c.blockstore.has(root)
      if (!listed && !unpinned && !present) return false
      const blocks = await walkDag(this.c.local, root, { ...options, missing: 'skip' })
      const holds = this.c.holds.keys()
      for (const [key, block] of blocks) {
        if (await this.isHeld(key, holds)) continue
        await this.c.blockstore.delete(block)
      }
      await this.c.files.delete(root)
      return true
    } finally {
      release()
    }
  }

  /** Every stored file, with its filename, size, last store time and pin state. */
  async listFiles (): Promise<FileEntry[]> {
    this.assertRunning('listFiles')
    const pinned = await this.c.pins.pinnedRoots()
    const out: FileEntry[] = []
    for await (const entry of this.c.files.entries()) {
      const cid = entry.cid.toString()
      out.push({ cid, filename: entry.filename, size: entry.size, modified: entry.modified, pinned: pinned.has(cid) })
    }
    return out
  }

  /** Remove every block no pin holds, and file index entries whose content went with them. */
  async gc (options: GcOptions = {}): Promise<GcResult> {
    this.assertRunning('gc')
    const cold = this.c.tiers.cold
    const result = await collectGarbage({ blockstore: this.c.blockstore, pins: this.c.pins, lock: this.c.gcLock, held: () => this.c.holds.keys(), elsewhere: cold == null ? undefined : async cid => await cold.has(cid) }, options)
    if (cold != null) {
      // the bucket's copies of what no pin and no hold keeps; pinned content's are never deleted
      const release = await this.c.gcLock.write(options)
      try {
        const referenced = await this.c.pins.referencedKeys()
        const held = this.c.holds.keys()
        const collected = await cold.collect(key => referenced.has(key) || held.has(key), { signal: options.signal, onRemoved: key => this.c.tiers.hot?.delete(key) })
        result.removedBlocks += collected.removedBlocks
        result.freedBytes += collected.freedBytes
      } finally {
        release()
      }
    }
    for await (const entry of this.c.files.entries()) {
      if (await this.c.blockstore.has(entry.cid)) continue
      await this.c.fileRefs.rm(entry.cid)
      await this.c.files.delete(entry.cid)
    }
    return result
  }

  /**
   * Hash every block; list corrupt ones (moved to quarantine) and blocks that
   * pinned DAGs lack. With `repair`, fetch them again from peers.
   */
  async verify (options: VerifyOptions = {}): Promise<VerifyResult> {
    this.assertRunning('verify')
    return await verifyRepo(this.c, options)
  }

  /** True when a pin, a listed file or an operation in progress (a hold) still keeps the block. */
  private async isHeld (key: string, holds: Set<string>): Promise<boolean> {
    return holds.has(key) || await this.c.pins.refCount(key) > 0 || await this.c.fileRefs.refCount(key) > 0
  }

  /**
   * Remove unpinned content until the repo holds at most `targetBytes`:
   * unreferenced blocks first, then unpinned files least recently used first.
   * What automatic gc runs every `performance.gc_interval`.
   */
  async evict (targetBytes: number, options: AbortOptions = {}): Promise<EvictionResult> {
    this.assertRunning('evict')
    return await evictToTarget(this.c, targetBytes, options)
  }

  /** The seed plan's backend status, plus peer and repository figures. */
  async status (): Promise<BackendStatus> {
    this.assertRunning('status')
    // one listing of the blocks directory gives the repo's size and, against the pin index's
    // reference counts, the bytes pins hold
    const pinned = await this.c.pins.referencedKeys()
    let blocks = 0
    let bytes = 0
    let pinnedBytes = 0
    for await (const block of this.c.blockstore.list()) {
      blocks++
      bytes += block.size
      if (pinned.has(blockKey(block.cid))) pinnedBytes += block.size
    }
    const online = this.isAvailable()
    return {
      ipfsKitAvailable: online,
      usingFallback: this.c.libp2p == null,
      cacheDir: this.c.dataDir,
      peerId: this.c.peerId.toString(),
      peers: this.c.libp2p?.getConnections().length ?? 0,
      backends: { local: true, ipfs: online, s3: this.c.tiers.cold != null, filecoin: false },
      backendHealth: {
        local: this.failures.health('local', true),
        ipfs: this.failures.health('ipfs', online),
        s3: this.c.tiers.cold == null ? this.failures.health('s3', false) : { ...this.failures.health('s3', true), ...this.c.tiers.cold.health(), enabled: true },
        filecoin: this.failures.health('filecoin', false)
      },
      tiers: {
        hot: this.c.tiers.hot?.stats() ?? { bytes: 0, blocks: 0, capacity: 0, hits: 0, misses: 0 },
        ...(this.c.tiers.cold == null ? {} : { cold: { ...await this.c.tiers.cold.stats(), quarantined: this.c.tiers.cold.quarantined, requests: { ...this.c.tiers.cold.requests } } })
      },
      repo: { blocks, bytes, pins: (await this.c.pins.pinnedRoots()).size, pinnedBytes, quarantined: this.c.quarantined?.() ?? 0 }
    }
  }

  /** Tell the routing layer we provide `cid`, in the background; failures are logged. */
  private announce (cid: CID): void {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    libp2p.contentRouting.provide(cid, { signal: AbortSignal.timeout(60_000) }).catch((err: any) => {
      log('could not announce %c - %e', cid, err)
    })
  }
}

/** Pass the stream through, reporting progress. */
async function * withProgress (source: AsyncIterable<Uint8Array>, total: number | undefined, options: StoreOptions): AsyncGenerator<Uint8Array> {
  if (options.onProgress == null) return yield * source
  let bytes = 0
  for await (const chunk of source) {
    bytes += chunk.byteLength
    options.onProgress(new CustomProgressEvent('storage:store:chunk', { bytes, total }))
    yield chunk
  }
}

