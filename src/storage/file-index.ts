/**
 * The file index: CID → filename, size, last stored, last read. What
 * `listFiles()` shows and what eviction orders by. Reads are noted in memory
 * and written behind, at most one LevelDB batch per ACCESS_TIME_FLUSH_MS, so
 * that reading a file costs no database write.
 */
import { CID } from 'multiformats/cid'
import { ACCESS_TIME_FLUSH_MS } from '../constants.ts'
import { decodeJson, encodeJson } from '../repo/index.ts'
import type { BatchOp, MetaStore } from '../repo/index.ts'

const FILE_PREFIX = '/ipfs-kit/files/'
/** filename → the CID last stored under it (the seed's `_cid_map[filename] = cid`). */
const NAME_PREFIX = '/ipfs-kit/filenames/'

export interface FileRecord {
  /** Name given at store time, or null. */
  filename: string | null
  /** File size in bytes. */
  size: number
  /** When it was last stored, ms since the epoch. */
  modified: number
  /** When it was last read or stored, ms since the epoch (drives least-recently-used eviction). */
  accessed?: number
}

export class FileIndex {
  /** Reads noted by touch() and not yet written: CID string → ms since the epoch. */
  private readonly pendingAccess = new Map<string, number>()
  private flushTimer: NodeJS.Timeout | undefined
  /** Writes that read a record first run one at a time, so none puts back a record another deleted or replaced. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor (private readonly meta: MetaStore) {}

  async get (cid: CID): Promise<FileRecord | undefined> {
    const bytes = await this.meta.get(FILE_PREFIX + cid.toString())
    return bytes == null ? undefined : decodeJson<FileRecord>(bytes)
  }

  /** Record a store. A later store without a filename keeps the earlier one. */
  async put (cid: CID, record: FileRecord): Promise<void> {
    await this.commit([await this.planPut(cid, record)])
  }

  /** The write that records a store, for a caller that commits it with other records. */
  async planPut (cid: CID, record: FileRecord): Promise<BatchOp> {
    const previous = await this.get(cid)
    const filename = record.filename ?? previous?.filename ?? null
    return { type: 'put', key: FILE_PREFIX + cid.toString(), value: encodeJson({ ...record, filename }) }
  }

  /** The write that makes `filename` name `cid` (the newest store under a name wins). */
  planName (filename: string, cid: CID): BatchOp {
    return { type: 'put', key: NAME_PREFIX + filename, value: encodeJson({ cid: cid.toString() }) }
  }

  /** The CID last stored under `filename`, or undefined. */
  async resolve (filename: string): Promise<CID | undefined> {
    const bytes = await this.meta.get(NAME_PREFIX + filename)
    return bytes == null ? undefined : CID.parse(decodeJson<{ cid: string }>(bytes).cid)
  }

  /** Commit writes planned here and by the pin indexes, atomically. */
  async commit (ops: BatchOp[]): Promise<void> {
    await this.serial(async () => { await this.meta.batch(ops) })
  }

  /**
   * Note a read of `cid`, for least-recently-used eviction. Written within
   * ACCESS_TIME_FLUSH_MS (or by `flush()`), and only if `cid` is listed then.
   */
  touch (cid: CID, when = Date.now()): void {
    const key = cid.toString()
    if ((this.pendingAccess.get(key) ?? 0) < when) this.pendingAccess.set(key, when)
    if (this.flushTimer == null) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined
        // a lost access time only makes eviction's order less exact; the next flush tries again
        this.flush().catch(() => {})
      }, ACCESS_TIME_FLUSH_MS)
      this.flushTimer.unref()
    }
  }

  /** Write the access times noted since the last flush, in one batch. */
  async flush (): Promise<void> {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    if (this.pendingAccess.size === 0) return
    const pending = [...this.pendingAccess]
    this.pendingAccess.clear()
    await this.serial(async () => {
      const stored = await this.meta.getMany(pending.map(([key]) => FILE_PREFIX + key))
      const ops: BatchOp[] = []
      pending.forEach(([key, when], i) => {
        const bytes = stored[i]
        if (bytes == null) return // not listed (or deleted since the read)
        const record = decodeJson<FileRecord>(bytes)
        if ((record.accessed ?? 0) < when) ops.push({ type: 'put', key: FILE_PREFIX + key, value: encodeJson({ ...record, accessed: when }) })
      })
      if (ops.length > 0) await this.meta.batch(ops)
    })
  }

  async delete (cid: CID): Promise<void> {
    const key = cid.toString()
    this.pendingAccess.delete(key)
    await this.serial(async () => { await this.meta.batch([{ type: 'del', key: FILE_PREFIX + key }]) })
  }

  /** Every listed file; `accessed` includes reads not yet written. */
  async * entries (): AsyncGenerator<{ cid: CID } & FileRecord> {
    for await (const [key, value] of this.meta.entries(FILE_PREFIX)) {
      const record = decodeJson<FileRecord>(value)
      const cid = key.slice(FILE_PREFIX.length)
      const pending = this.pendingAccess.get(cid)
      if (pending != null && pending > (record.accessed ?? 0)) record.accessed = pending
      yield { cid: CID.parse(cid), ...record }
    }
  }

  private async serial<T> (work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => {})
    return await run
  }
}
