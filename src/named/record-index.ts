/** The local index of a kind (models, datasets): name@revision → manifest root, in LevelDB so it survives restarts. */
import { decodeJson, encodeJson } from '../repo/index.ts'
import { MODEL_KIND } from './kinds.ts'
import { modelRef } from './names.ts'
import type { LocalRecord as LocalModel } from './types.ts'
import type { MetaStore } from '../repo/index.ts'

/** What publish remembers of each local file, to skip unchanged ones next time. */
export interface LocalFileState {
  size: number
  mtimeMs: number
  cid: string
  sha256: string
  /** A file published as several shards (datasets with `shardSize`): the shards, in order; `cid` and `sha256` are then the whole file's. */
  shards?: Array<{ path: string, size: number, sha256: string, cid: string, records?: number }>
  /** The `shardSize` it was split with. */
  shardSize?: number
  /** Records (lines) of a line-based file published whole. */
  records?: number
}

export interface NamedRecord extends LocalModel {
  /** Publisher side only: path → state of the file when it was stored. */
  files?: Record<string, LocalFileState>
  /** Publisher side only: the publisher id that signed the manifest. */
  publisher?: string
  /** Datasets pulled in part: the published paths of the shards this node holds (each pinned by its CID). */
  shards?: string[]
}

export class RecordIndex {
  constructor (private readonly meta: MetaStore, private readonly prefix = MODEL_KIND.indexPrefix) {}

  async get (name: string, revision: string): Promise<NamedRecord | undefined> {
    const bytes = await this.meta.get(this.prefix + modelRef(name, revision))
    return bytes == null ? undefined : decodeJson<NamedRecord>(bytes)
  }

  async put (record: NamedRecord): Promise<void> {
    await this.meta.batch([{ type: 'put', key: this.prefix + modelRef(record.name, record.revision), value: encodeJson(record) }])
  }

  async delete (name: string, revision: string): Promise<void> {
    await this.meta.batch([{ type: 'del', key: this.prefix + modelRef(name, revision) }])
  }

  async list (): Promise<LocalModel[]> {
    const out: LocalModel[] = []
    for await (const [, value] of this.meta.entries(this.prefix)) {
      const { files: _files, publisher: _publisher, shards: _shards, ...model } = decodeJson<NamedRecord>(value)
      out.push(model)
    }
    return out
  }

  /** Every record with its publisher-side and share fields. */
  async records (): Promise<NamedRecord[]> {
    const out: NamedRecord[] = []
    for await (const [, value] of this.meta.entries(this.prefix)) out.push(decodeJson<NamedRecord>(value))
    return out
  }
}
