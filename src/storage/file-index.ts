/** The file index: CID → filename, size, last stored. What `listFiles()` shows. */
import { CID } from 'multiformats/cid'
import { decodeJson, encodeJson } from '../repo/index.ts'
import type { BatchOp, MetaStore } from '../repo/index.ts'

const FILE_PREFIX = '/ipfs-kit/files/'

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
  constructor (private readonly meta: MetaStore) {}

  async get (cid: CID): Promise<FileRecord | undefined> {
    const bytes = await this.meta.get(FILE_PREFIX + cid.toString())
    return bytes == null ? undefined : decodeJson<FileRecord>(bytes)
  }

  /** Record a store. A later store without a filename keeps the earlier one. */
  async put (cid: CID, record: FileRecord): Promise<void> {
    await this.meta.batch([await this.planPut(cid, record)])
  }

  /** The write that records a store, for a caller that commits it with other records. */
  async planPut (cid: CID, record: FileRecord): Promise<BatchOp> {
    const previous = await this.get(cid)
    const filename = record.filename ?? previous?.filename ?? null
    return { type: 'put', key: FILE_PREFIX + cid.toString(), value: encodeJson({ ...record, filename }) }
  }

  /** Commit writes planned here and by the pin indexes, atomically. */
  async commit (ops: BatchOp[]): Promise<void> {
    await this.meta.batch(ops)
  }

  /** Note a read of `cid`, for least-recently-used eviction. Unknown CIDs are left alone. */
  async touch (cid: CID, when = Date.now()): Promise<void> {
    const record = await this.get(cid)
    if (record == null) return
    await this.meta.batch([{ type: 'put', key: FILE_PREFIX + cid.toString(), value: encodeJson({ ...record, accessed: when }) }])
  }

  async delete (cid: CID): Promise<void> {
    await this.meta.batch([{ type: 'del', key: FILE_PREFIX + cid.toString() }])
  }

  async * entries (): AsyncGenerator<{ cid: CID } & FileRecord> {
    for await (const [key, value] of this.meta.entries(FILE_PREFIX)) {
      yield { cid: CID.parse(key.slice(FILE_PREFIX.length)), ...decodeJson<FileRecord>(value) }
    }
  }
}
