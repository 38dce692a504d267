/**
 * The cache's persisted entries, in the repo's LevelDB under
 * `/ipfs-kit/cache/<key digest>`: the key, the value's CID and size, its
 * expiry, the blocks the entry holds from gc (so a restart can hold them
 * again without walking the DAG), its last access (the LRU order survives a
 * restart) and the signed statement peers are given.
 */
import { decodeJson, encodeJson } from '../repo/index.ts'
import type { SignedEntry } from './signed-entry.ts'
import type { BatchOp, MetaStore } from '../repo/index.ts'

const PREFIX = '/ipfs-kit/cache/'

export interface EntryRecord {
  key: string
  cid: string
  size: number
  created: number
  expires: number | null
  /** ms since the epoch of the last get or put. */
  accessed: number
  /** Block keys the entry holds from gc. */
  blocks: string[]
  signed: SignedEntry
}

export class EntryStore {
  constructor (private readonly meta: MetaStore) {}

  async put (digest: string, record: EntryRecord): Promise<void> {
    await this.meta.batch([{ type: 'put', key: PREFIX + digest, value: encodeJson(record) }])
  }

  async delete (digests: string[]): Promise<void> {
    await this.meta.batch(digests.map(d => ({ type: 'del', key: PREFIX + d })))
  }

  /** Write the access times of these entries (write-behind: at sweeps and at stop). */
  async touch (records: Array<[string, EntryRecord]>): Promise<void> {
    const ops: BatchOp[] = records.map(([digest, record]) => ({ type: 'put', key: PREFIX + digest, value: encodeJson(record) }))
    await this.meta.batch(ops)
  }

  async * entries (): AsyncGenerator<[string, EntryRecord]> {
    for await (const [key, value] of this.meta.entries(PREFIX)) yield [key.slice(PREFIX.length), decodeJson<EntryRecord>(value)]
  }
}
