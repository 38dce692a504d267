/**
 * ipfs-kit's own records (pins, block reference counts, the file index) in the
 * node's LevelDB, under `/ipfs-kit/…` keys that Helia never touches. Writes
 * are atomic batches; `sync` makes a resolved write survive power loss.
 */
import type { Level } from 'level'

export type BatchOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

export class MetaStore {
  constructor (private readonly db: Level<string, Uint8Array>, private readonly sync: boolean) {}

  async get (key: string): Promise<Uint8Array | undefined> {
    return await this.db.get(key) ?? undefined
  }

  async getMany (keys: string[]): Promise<Array<Uint8Array | undefined>> {
    if (keys.length === 0) return []
    return (await this.db.getMany(keys)).map(v => v ?? undefined)
  }

  async has (key: string): Promise<boolean> {
    return await this.db.get(key) != null
  }

  async batch (ops: BatchOp[]): Promise<void> {
    if (ops.length === 0) return
    await this.db.batch(ops, { sync: this.sync })
  }

  /** Entries whose key starts with `prefix`, in key order. */
  async * entries (prefix: string): AsyncGenerator<[string, Uint8Array]> {
    for await (const [key, value] of this.db.iterator({ gte: prefix, lt: prefix + '\xff' })) {
      yield [key, value]
    }
  }

  /** Keys that start with `prefix`, in key order. */
  async * keys (prefix: string): AsyncGenerator<string> {
    for await (const key of this.db.keys({ gte: prefix, lt: prefix + '\xff' })) {
      yield key
    }
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeJson (value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

export function decodeJson<T> (bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T
}
