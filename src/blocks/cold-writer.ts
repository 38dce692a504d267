/**
 * One upload to the cold tier: blocks appended one at a time (in the order
 * given) to a pack spooled on disk; a full pack uploads while the next one
 * fills (one pack in flight). Blocks the bucket or this upload already holds
 * are skipped. What `ColdStore.put` (a stored DAG going cold) and a store
 * straight to the cold tier (`store(…, { backends: ['s3'] })`, whose import
 * appends each block as it is hashed, never writing it to the warm disk)
 * share.
 */
import { blockKey } from './block-key.ts'
import { PackBuilder } from './pack-builder.ts'
import type { SpooledPack } from './pack-builder.ts'
import type { PackIndex } from './pack-index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface ColdWriteResult { packs: number, blocks: number, bytes: number }

export interface ColdWriterInit {
  index: PackIndex
  packSize: number
  spoolDir: string
  /** Which upload this is (recorded with each block: a read's run stays within one). */
  segment: number
  /** The DAG the packs hold, named in each CAR header; absent while unknown (an import: each pack names its first block). */
  root?: CID
  /** Upload a finished pack, its index object and its local index entries; discards the spool. */
  upload(pack: SpooledPack, options: AbortOptions): Promise<void>
}

export class ColdWriter {
  readonly result: ColdWriteResult = { packs: 0, blocks: 0, bytes: 0 }
  private pack: PackBuilder | undefined
  private prev: string | undefined
  private uploading: Promise<void> | undefined
  /** Appends run one after the other, in call order (an importer calls `append` with several in flight). */
  private tail: Promise<void> = Promise.resolve()
  private failure: unknown

  constructor (private readonly init: ColdWriterInit, private readonly options: AbortOptions = {}) {}

  /**
   * Append a block (skipped when the bucket or this upload holds it). Resolves once the spool has
   * its bytes (or it was skipped): a caller reading into reused buffers (a file stored straight to
   * cold) may then read into them again.
   */
  async append (cid: CID, bytes: Uint8Array): Promise<void> {
    const appended = this.tail.then(async () => { await this.appendNow(cid, bytes) })
    this.tail = appended.catch(err => { this.failure ??= err })
    await appended
  }

  /** Upload the last pack and wait for every upload: resolves once every block appended is in the local index. */
  async finish (): Promise<ColdWriteResult> {
    await this.tail
    if (this.failure != null) throw this.failure
    if (this.pack != null) {
      const last = this.pack
      this.pack = undefined
      await this.flush(last)
    }
    await this.uploading
    return this.result
  }

  /** Drop the pack being filled and wait for the upload in flight (after a failure, or when the caller gives up). */
  async discard (): Promise<void> {
    await this.tail
    const pack = this.pack
    this.pack = undefined
    await pack?.discard()
    await this.uploading?.catch(() => {})
  }

  private async appendNow (cid: CID, bytes: Uint8Array): Promise<void> {
    if (this.failure != null) throw this.failure
    this.options.signal?.throwIfAborted()
    const key = blockKey(cid)
    if (this.pack?.holds(key) === true || await this.init.index.locate(key) != null) return
    if (this.pack?.wouldOverflow(cid, bytes.byteLength) === true) {
      const full = this.pack
      this.pack = undefined
      await this.flush(full)
    }
    this.pack ??= new PackBuilder(this.init.root ?? cid, this.init.packSize, this.init.spoolDir, this.prev)
    await this.pack.append(cid, bytes, this.init.segment)
    this.result.blocks++
    this.result.bytes += bytes.byteLength
  }

  private async flush (full: PackBuilder): Promise<void> {
    const spooled = await full.finish().catch(async err => { await full.discard(); throw err })
    this.prev = spooled.record.pack
    // one pack uploads while the next fills
    await this.uploading?.catch(async err => { await spooled.discard(); throw err })
    this.uploading = this.init.upload(spooled, this.options).then(() => { this.result.packs++ })
    this.uploading.catch(() => {})
  }
}
