/**
 * The cold tier's local index, in the node's LevelDB: block key → (pack,
 * offset, length), and per pack its blocks in pack order. `has` on the cold
 * tier is one local lookup, never a request. The same pack record, uploaded
 * beside each pack as `<prefix>index/<pack>.json`, is what a fresh data
 * directory rebuilds this index from.
 */
import type { AbortOptions } from '@libp2p/interface'

/** The slice of the repo's metadata store the index needs (src/repo MetaStore has this shape). */
export interface KeyValueStore {
  get(key: string): Promise<Uint8Array | undefined>
  batch(ops: Array<{ type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }>): Promise<void>
  entries(prefix: string): AsyncGenerator<[string, Uint8Array]>
}

/** One block in a pack: its key, where its bytes start, how many, and which upload (segment) put it there. */
export type PackEntry = [key: string, offset: number, length: number, segment: number]

/** A pack's record: its size and its blocks in pack order (also the bucket's index object). */
export interface PackRecord {
  version: 1
  pack: string
  size: number
  blocks: PackEntry[]
  /** The pack uploaded before this one by the same upload (absent for its first): what a sequential read fetches ahead. */
  prev?: string
}

export interface BlockLocation { pack: string, offset: number, length: number }

const BLOCK_PREFIX = '/ipfs-kit/cold/block/'
const PACK_PREFIX = '/ipfs-kit/cold/pack/'
/** prev pack id → the pack that followed it in the same upload. */
const NEXT_PREFIX = '/ipfs-kit/cold/next/'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class PackIndex {
  constructor (private readonly kv: KeyValueStore) {}

  async locate (key: string): Promise<BlockLocation | undefined> {
    const value = await this.kv.get(BLOCK_PREFIX + key)
    if (value == null) return undefined
    const [pack, offset, length] = decoder.decode(value).split(' ')
    return { pack: pack as string, offset: Number(offset), length: Number(length) }
  }

  async pack (id: string): Promise<PackRecord | undefined> {
    const value = await this.kv.get(PACK_PREFIX + id)
    return value == null ? undefined : parsePackRecord(decoder.decode(value), id)
  }

  /** The pack that followed `id` in the same upload, if it is in the index. */
  async next (id: string): Promise<string | undefined> {
    const value = await this.kv.get(NEXT_PREFIX + id)
    return value == null ? undefined : decoder.decode(value)
  }

  /** Record a pack and its blocks (after the pack and its index object are in the bucket). */
  async add (record: PackRecord): Promise<void> {
    await this.kv.batch([
      ...(record.prev == null ? [] : [{ type: 'put' as const, key: NEXT_PREFIX + record.prev, value: encoder.encode(record.pack) }]),
      ...record.blocks.map(([key, offset, length]) => ({ type: 'put' as const, key: BLOCK_PREFIX + key, value: encoder.encode(`${record.pack} ${offset} ${length}`) })),
      { type: 'put', key: PACK_PREFIX + record.pack, value: encoder.encode(JSON.stringify(record)) }
    ])
  }

  /** Forget blocks (gc, quarantine); `packs` gives the records to rewrite or drop in the same batch. */
  async remove (keys: string[], packs: { put?: PackRecord[], drop?: string[] } = {}): Promise<void> {
    await this.kv.batch([
      ...keys.map(key => ({ type: 'del' as const, key: BLOCK_PREFIX + key })),
      ...(packs.put ?? []).map(record => ({ type: 'put' as const, key: PACK_PREFIX + record.pack, value: encoder.encode(JSON.stringify(record)) })),
      ...(packs.drop ?? []).flatMap(id => [{ type: 'del' as const, key: PACK_PREFIX + id }, { type: 'del' as const, key: NEXT_PREFIX + id }])
    ])
  }

  /** Every pack record. */
  async * packs (options: AbortOptions = {}): AsyncGenerator<PackRecord> {
    for await (const [key, value] of this.kv.entries(PACK_PREFIX)) {
      options.signal?.throwIfAborted()
      yield parsePackRecord(decoder.decode(value), key.slice(PACK_PREFIX.length))
    }
  }
}

/** A pack record from JSON (local or from the bucket: hostile until checked), or an Error naming what is wrong. */
export function parsePackRecord (text: string, id: string): PackRecord {
  const value = JSON.parse(text)
  if (value?.version !== 1 || value.pack !== id || !Number.isSafeInteger(value.size) || !Array.isArray(value.blocks) || (value.prev != null && !/^[0-9a-f]{64}$/.test(value.prev))) throw new Error(`pack index ${id}: not a version 1 record of this pack`)
  for (const entry of value.blocks) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !/^[A-Z2-7]+$/.test(entry[0]) || ![entry[1], entry[2], entry[3]].every(Number.isSafeInteger) || entry[1] < 0 || entry[2] < 0 || entry[1] + entry[2] > value.size) {
      throw new Error(`pack index ${id}: malformed entry ${JSON.stringify(entry).slice(0, 100)}`)
    }
  }
  return value as PackRecord
}
