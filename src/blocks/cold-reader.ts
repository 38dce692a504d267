/**
 * The cold tier's read side: which run of blocks one ranged GET fetches, and
 * parsing that GET's body as it streams — each block copied out, hashed
 * against its CID and handed to its reader as soon as its last byte arrives;
 * a block that fails is dropped from the index (quarantined) and reported
 * missing, never served. Blocks of a run nobody asked for yet wait in a
 * bounded buffer.
 */
import { NotFoundError as StoreNotFoundError } from 'interface-store'
import { COLD_READ_FIRST_RUN_BYTES, COLD_READ_RUN_BYTES, COLD_RUN_BUFFER_BYTES } from '../constants.ts'
import { CorruptBlockError } from '../errors.ts'
import { blockKey, keyToCid } from './block-key.ts'
import { verifyBlock } from './verify.ts'
import type { PackIndex, PackEntry, PackRecord } from './pack-index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface ColdReaderInit {
  index: PackIndex
  /** Bytes `[start, end)` of a pack as they arrive (undefined: no such object). */
  stream(pack: string, range: { start: number, end: number }, options: AbortOptions): Promise<AsyncIterable<Uint8Array> | undefined>
  onCorrupt?(cid: CID, pack: string): void
}

export class ColdReader {
  private readonly inflight = new Map<string, Promise<Uint8Array | undefined>>()
  private readonly buffer = new Map<string, Uint8Array>()
  private bufferBytes = 0
  private planning: Promise<unknown> = Promise.resolve()
  private readonly records = new Map<string, PackRecord>()
  /** Per pack, the index of the block after the last run fetched from it (to tell sequential reads). */
  private readonly runEnds = new Map<string, number>()
  private readonly index: PackIndex
  /** Blocks that failed their hash since start. */
  quarantined = 0

  constructor (private readonly init: ColdReaderInit) {
    this.index = init.index
  }

  /**
   * @throws interface-store NotFoundError when not in the cold tier, or corrupt there (then quarantined)
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

  /** Forget what gc removed: the pack's cached record and the blocks' buffered bytes. */
  forget (pack: string, keys: string[]): void {
    this.records.delete(pack)
    for (const key of keys) this.dropBuffered(key)
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
      const body = await this.init.stream(pack, { start, end }, options)
      if (body == null) throw new StoreNotFoundError(`pack ${pack} is missing from the bucket`)
      let at = start // the pack offset of the next body byte
      let i = 0
      let block: Uint8Array | undefined
      let filled = 0
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
            // out of the index before its reader hears of it: a second read must not fetch it again
            await this.index.remove([key])
            this.quarantined++
            this.init.onCorrupt?.(cid, pack)
            settle(key, undefined)
          }
          block = undefined
          filled = 0
          i++
        }
      }
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
}
