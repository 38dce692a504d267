/**
 * Tier policy: moving a root's blocks between hot (memory), warm (disk) and
 * cold (S3 packs), what each tier holds of a root, and automatic tiering
 * (demote roots not read for `demote_after`, promote a cold root read
 * `promote_reads` times). The tiers themselves live in src/blocks; this file
 * decides what goes where. Callers hold the read side of the gc lock.
 */
import { logger } from '@libp2p/logger'
import { CustomProgressEvent } from 'progress-events'
import { PROMOTE_TRACKED_ROOTS } from '../constants.ts'
import { BackendDisabledError, InvalidInputError } from '../errors.ts'
import { blockKey, dagBlocks, linksOf } from '../blocks/index.ts'
import type { ColdStore, FsBlockstore, HotCache } from '../blocks/index.ts'
import type { FileIndex } from './file-index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

const log = logger('ipfs-kit:tiers')
const RAW_CODE = 0x55

export type TierName = 'hot' | 'warm' | 'cold'
export const TIER_NAMES: readonly TierName[] = ['hot', 'warm', 'cold']

/** Bytes of a root's distinct blocks held in each tier (a block may be in several). */
export interface TierSizes {
  cid: string
  hot: number
  warm: number
  cold: number
}

export type TierProgressEvents = ProgressEvent<'storage:tier:moved', { cid: string, to: TierName, blocks: number, bytes: number }>

export interface TierOptions extends AbortOptions, ProgressOptions<TierProgressEvents> {}

export interface TierPolicyInit {
  blockstore: FsBlockstore
  hot?: HotCache
  /** Absent when no cold backend is enabled. */
  cold?: ColdStore
  files: FileIndex
  /** `storage_policy.auto_tier` (acts only with a cold tier). */
  autoTier: boolean
  /** `storage_policy.demote_after`, ms. */
  demoteAfterMs: number
  /** `storage_policy.promote_reads`. */
  promoteReads: number
}

export class TierPolicy {
  private readonly reads = new Map<string, number>()

  constructor (private readonly c: TierPolicyInit) {}

  get cold (): ColdStore | undefined { return this.c.cold }
  get hot (): HotCache | undefined { return this.c.hot }

  /** Move (copy up, or move down) every block of `root` to `to`. */
  async move (root: CID, to: TierName, options: TierOptions = {}): Promise<TierSizes> {
    if (!TIER_NAMES.includes(to)) throw new InvalidInputError(`tier must be one of ${TIER_NAMES.join(', ')}, got ${JSON.stringify(to)}`)
    if (to === 'cold') await this.toCold(root, options)
    else await this.toWarm(root, to === 'hot', options)
    this.reads.delete(root.toString())
    return await this.sizes(root, options)
  }

  /**
   * Upload what the bucket lacks, then remove the blocks from disk and memory.
   * Warm copies go only once every pack holding them is recorded.
   */
  async toCold (root: CID, options: TierOptions = {}): Promise<void> {
    const cold = this.c.cold
    if (cold == null) throw new BackendDisabledError('s3')
    const cids: CID[] = []
    const blocks = async function * (source: AsyncIterable<{ cid: CID, bytes: Uint8Array }>): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
      for await (const block of source) {
        cids.push(block.cid)
        yield block
      }
    }
    const written = await cold.put(root, blocks(dagBlocks(this.reader(), root, options)), options)
    for (const cid of cids) {
      if (await cold.has(cid)) await this.c.blockstore.delete(cid, options)
    }
    options.onProgress?.(new CustomProgressEvent('storage:tier:moved', { cid: root.toString(), to: 'cold', blocks: written.blocks, bytes: written.bytes }))
  }

  /** Copy every block to disk (from the bucket where needed); with `hot`, into memory as well. */
  private async toWarm (root: CID, hot: boolean, options: TierOptions): Promise<void> {
    let blocks = 0
    let bytes = 0
    for await (const block of dagBlocks(this.reader(), root, options)) {
      if (!await this.c.blockstore.hasWarm(block.cid)) {
        await this.c.blockstore.put(block.cid, block.bytes, options)
        blocks++
        bytes += block.bytes.byteLength
      }
      if (hot) this.c.hot?.admit(blockKey(block.cid), block.bytes, { protect: true })
    }
    options.onProgress?.(new CustomProgressEvent('storage:tier:moved', { cid: root.toString(), to: hot ? 'hot' : 'warm', blocks, bytes }))
  }

  /** What each tier holds of `root`. Only interior nodes are read (raw leaves are sized from the indexes). */
  async sizes (root: CID, options: AbortOptions = {}): Promise<TierSizes> {
    const out: TierSizes = { cid: root.toString(), hot: 0, warm: 0, cold: 0 }
    const seen = new Set<string>()
    const stack: CID[] = [root]
    const reader = this.reader()
    while (stack.length > 0) {
      options.signal?.throwIfAborted()
      const cid = stack.pop() as CID
      const key = blockKey(cid)
      if (seen.has(key)) continue
      seen.add(key)
      const [warm, cold] = await Promise.all([this.c.blockstore.sizeOf(cid), this.c.cold?.sizeOf(cid)])
      out.warm += warm ?? 0
      out.cold += cold ?? 0
      out.hot += this.c.hot?.sizeOf(key) ?? 0
      if (cid.code === RAW_CODE || (warm == null && cold == null)) continue
      const links = linksOf(cid, await reader.getBytes(cid, options))
      for (let i = links.length - 1; i >= 0; i--) stack.push(links[i] as CID)
    }
    return out
  }

  /**
   * Automatic tiering's demotion pass: files whose last read or store is older
   * than `demote_after` and whose root is on disk go cold. Nothing without a
   * cold tier or with `auto_tier: false`.
   */
  async demote (options: AbortOptions = {}): Promise<string[]> {
    if (!this.c.autoTier || this.c.cold == null) return []
    const before = Date.now() - this.c.demoteAfterMs
    const due: CID[] = []
    for await (const entry of this.c.files.entries()) {
      if (Math.max(entry.accessed ?? 0, entry.modified) < before && await this.c.blockstore.hasWarm(entry.cid)) due.push(entry.cid)
    }
    const demoted: string[] = []
    for (const cid of due) {
      options.signal?.throwIfAborted()
      await this.toCold(cid, options)
      demoted.push(cid.toString())
    }
    return demoted
  }

  /**
   * Count a read of `root`; the `promote_reads`-th read of a root that is
   * cold (not on disk, in the bucket) brings it back warm. True when promoted.
   */
  async noteRead (root: CID, options: AbortOptions = {}): Promise<boolean> {
    if (!this.c.autoTier || this.c.cold == null) return false
    if (await this.c.blockstore.hasWarm(root) || !await this.c.cold.has(root)) return false
    const name = root.toString()
    const count = (this.reads.get(name) ?? 0) + 1
    this.reads.delete(name)
    if (count < this.c.promoteReads) {
      this.reads.set(name, count)
      if (this.reads.size > PROMOTE_TRACKED_ROOTS) this.reads.delete(this.reads.keys().next().value as string)
      return false
    }
    try {
      await this.toWarm(root, false, options)
      return true
    } catch (err: any) {
      log.error('could not promote %s to warm - %e', name, err)
      return false
    }
  }

  /** The blocks of `root` in file order, from disk or the bucket. */
  blocksOf (root: CID, options: AbortOptions = {}): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
    return dagBlocks(this.reader(), root, options)
  }

  /** Blocks from disk, else from the bucket; the hot tier is neither read nor filled (tiering is not a reader's access). */
  private reader (): { getBytes(cid: CID, options?: AbortOptions): Promise<Uint8Array> } {
    return {
      getBytes: async (cid, options = {}) => {
        try {
          return await this.c.blockstore.getBytes(cid, { ...options, noCache: true })
        } catch (err: any) {
          if (err.name !== 'NotFoundError' || this.c.cold == null) throw err
          return await this.c.cold.getBytes(cid, options)
        }
      }
    }
  }
}
