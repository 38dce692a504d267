/** The local model index: name@revision → manifest root, in LevelDB so it survives restarts. */
import { decodeJson, encodeJson } from '../repo/index.ts'
import { modelRef } from './names.ts'
import type { LocalModel } from './types.ts'
import type { MetaStore } from '../repo/index.ts'

const PREFIX = '/ipfs-kit/models/'

/** What publish remembers of each local file, to skip unchanged ones next time. */
export interface LocalFileState {
  size: number
  mtimeMs: number
  cid: string
  sha256: string
}

export interface ModelRecord extends LocalModel {
  /** Publisher side only: path → state of the file when it was stored. */
  files?: Record<string, LocalFileState>
  /** Publisher side only: the publisher id that signed the manifest. */
  publisher?: string
}

export class ModelIndex {
  constructor (private readonly meta: MetaStore) {}

  async get (name: string, revision: string): Promise<ModelRecord | undefined> {
    const bytes = await this.meta.get(PREFIX + modelRef(name, revision))
    return bytes == null ? undefined : decodeJson<ModelRecord>(bytes)
  }

  async put (record: ModelRecord): Promise<void> {
    await this.meta.batch([{ type: 'put', key: PREFIX + modelRef(record.name, record.revision), value: encodeJson(record) }])
  }

  async delete (name: string, revision: string): Promise<void> {
    await this.meta.batch([{ type: 'del', key: PREFIX + modelRef(name, revision) }])
  }

  async list (): Promise<LocalModel[]> {
    const out: LocalModel[] = []
    for await (const [, value] of this.meta.entries(PREFIX)) {
      const { files: _files, publisher: _publisher, ...model } = decodeJson<ModelRecord>(value)
      out.push(model)
    }
    return out
  }
}
