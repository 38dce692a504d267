/**
 * Our pin index: eager and reference-counted per block, unlike Helia's lazy
 * pins whose counts drift. A pin stores its root's record, the list of its
 * distinct blocks, and +1 on each block's count, in one atomic batch; an unpin
 * reverses exactly that list. A block is kept by gc while its count is above 0.
 */
import { CID } from 'multiformats/cid'
import { decodeJson, encodeJson } from '../repo/index.ts'
import { walkDag } from './dag-walk.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { BatchOp, MetaStore } from '../repo/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Mutex } from './rw-lock.ts'
import { LEGACY_ORIGINS } from './pin-origin.ts'
import type { PinOrigin } from './pin-origin.ts'


export interface PinRecord {
  cid: CID
  /** When the pin was made, ms since the epoch. */
  created: number
  /** Distinct blocks the pin holds. */
  blocks: number
  /** Why the root is pinned; it stays pinned while one is left. Records older than origins read as `['user']`. */
  origins: PinOrigin[]
}

type StoredRecord = Omit<PinRecord, 'cid'>

export interface PinIndexComponents {
  meta: MetaStore
  /** Serialises changes to reference counts. */
  mutex: Mutex
}

export interface PinIndexInit {
  /**
   * Key namespace: `/ipfs-kit/<namespace>/…`. `pins` holds user pins (what gc
   * keeps); `file-refs` holds the file index's references, so that deleting one
   * unpinned file never removes a block another listed file still uses.
   *
   * @default 'pins'
   */
  namespace?: string
}

export class PinIndex {
  private readonly rootPrefix: string
  private readonly listPrefix: string
  private readonly refPrefix: string

  constructor (private readonly components: PinIndexComponents, init: PinIndexInit = {}) {
    const ns = init.namespace ?? 'pins'
    this.rootPrefix = `/ipfs-kit/${ns}/roots/`
    this.listPrefix = `/ipfs-kit/${ns}/blocks/`
    this.refPrefix = `/ipfs-kit/${ns}/refs/`
  }

  /**
   * Pin `root` and every block under it. The DAG is read through `source`
   * (which may fetch missing blocks from peers); it fails with NotFoundError
   * when a block cannot be had. Pinning a pinned root changes nothing.
   */
  async add (root: CID, source: BlockSource, options: AbortOptions & { origin?: PinOrigin } = {}): Promise<PinRecord> {
    const origin = options.origin ?? 'user'
    const existing = await this.addOrigin(root, origin)
    if (existing != null) return existing
    return await this.addBlocks(root, await walkDag(source, root, options), origin)
  }

  /** Pin `root` given its already-walked distinct blocks (see walkDag). */
  async addBlocks (root: CID, blocks: Map<string, CID>, origin: PinOrigin = 'user'): Promise<PinRecord> {
    return await this.components.mutex.run(async () => {
      const planned = await this.planAdd(root, blocks, origin)
      await this.components.meta.batch(planned.ops)
      return planned.record
    })
  }

  /**
   * Add `origin` to the pin on `root` when it is pinned (its record, nothing else, changes);
   * undefined when it is not pinned.
   */
  async addOrigin (root: CID, origin: PinOrigin): Promise<PinRecord | undefined> {
    return await this.components.mutex.run(async () => {
      const existing = await this.get(root)
      if (existing == null || existing.origins.includes(origin)) return existing
      const record = { ...existing, origins: [...existing.origins, origin] }
      await this.components.meta.batch([{ type: 'put', key: this.rootPrefix + root.toString(), value: encodeJson(stored(record)) }])
      return record
    })
  }

  /**
   * The batch that adds a pin on `root` (empty when it is pinned already),
   * for a caller that commits it together with other records. The caller
   * must hold the mutex (see `exclusive`) from this call to the commit.
   */
  async planAdd (root: CID, blocks: Map<string, CID>, origin: PinOrigin = 'user'): Promise<{ ops: BatchOp[], record: PinRecord }> {
    const keys = [...blocks.keys()]
    // the root's record and every count in one read
    const [existing, ...counts] = await this.components.meta.getMany([this.rootPrefix + root.toString(), ...keys.map(k => this.refPrefix + k)])
    if (existing != null) {
      const record = { cid: root, ...decodeRecord(existing) }
      if (record.origins.includes(origin)) return { ops: [], record }
      record.origins = [...record.origins, origin]
      return { ops: [{ type: 'put', key: this.rootPrefix + root.toString(), value: encodeJson(stored(record)) }], record }
    }
    const record: StoredRecord = { created: Date.now(), blocks: keys.length, origins: [origin] }
    const ops: BatchOp[] = keys.map((key, i) => ({ type: 'put', key: this.refPrefix + key, value: encodeCount(decodeCount(counts[i]) + 1) }))
    ops.push({ type: 'put', key: this.listPrefix + root.toString(), value: encodeJson(keys) })
    ops.push({ type: 'put', key: this.rootPrefix + root.toString(), value: encodeJson(record) })
    return { ops, record: { cid: root, ...record } }
  }

  /** Run `fn` holding the mutex that serialises reference-count changes. */
  async exclusive<T> (fn: () => Promise<T>): Promise<T> {
    return await this.components.mutex.run(fn)
  }

  /**
   * Remove the pin on `root`, or with `origin` only that reason for it: the root stays pinned
   * while another origin is left. Returns false when it was not pinned (with that origin).
   */
  async rm (root: CID, origin?: PinOrigin): Promise<boolean> {
    return await this.components.mutex.run(async () => {
      if (origin != null) {
        const existing = await this.get(root)
        if (existing == null || !existing.origins.includes(origin)) return false
        const left = existing.origins.filter(o => o !== origin)
        if (left.length > 0) {
          await this.components.meta.batch([{ type: 'put', key: this.rootPrefix + root.toString(), value: encodeJson(stored({ ...existing, origins: left })) }])
          return true
        }
      }
      const keys = await this.blocksOf(root)
      if (keys == null) return false
      const counts = await this.components.meta.getMany(keys.map(k => this.refPrefix + k))
      const ops: BatchOp[] = keys.map((key, i) => {
        const next = decodeCount(counts[i]) - 1
        return next > 0
          ? { type: 'put', key: this.refPrefix + key, value: encodeCount(next) }
          : { type: 'del', key: this.refPrefix + key }
      })
      ops.push({ type: 'del', key: this.listPrefix + root.toString() })
      ops.push({ type: 'del', key: this.rootPrefix + root.toString() })
      await this.components.meta.batch(ops)
      return true
    })
  }

  /** Keys of the distinct blocks the pin on `root` holds, or undefined when not pinned. */
  async blocksOf (root: CID): Promise<string[] | undefined> {
    const bytes = await this.components.meta.get(this.listPrefix + root.toString())
    return bytes == null ? undefined : decodeJson<string[]>(bytes)
  }

  async get (root: CID): Promise<PinRecord | undefined> {
    const bytes = await this.components.meta.get(this.rootPrefix + root.toString())
    if (bytes == null) return undefined
    return { cid: root, ...decodeRecord(bytes) }
  }

  async isPinned (root: CID): Promise<boolean> {
    return await this.components.meta.has(this.rootPrefix + root.toString())
  }

  /** Every pin, in CID string order. */
  async * ls (): AsyncGenerator<PinRecord> {
    for await (const [key, value] of this.components.meta.entries(this.rootPrefix)) {
      yield { cid: CID.parse(key.slice(this.rootPrefix.length)), ...decodeRecord(value) }
    }
  }

  /** CID strings of every pinned root. */
  async pinnedRoots (): Promise<Set<string>> {
    const roots = new Set<string>()
    for await (const key of this.components.meta.keys(this.rootPrefix)) roots.add(key.slice(this.rootPrefix.length))
    return roots
  }

  /** Block keys held by at least one pin. */
  async referencedKeys (): Promise<Set<string>> {
    const keys = new Set<string>()
    for await (const key of this.components.meta.keys(this.refPrefix)) keys.add(key.slice(this.refPrefix.length))
    return keys
  }

  /** How many pins hold the block with this key. */
  async refCount (key: string): Promise<number> {
    return decodeCount(await this.components.meta.get(this.refPrefix + key))
  }
}

function decodeRecord (bytes: Uint8Array): StoredRecord {
  const record = decodeJson<Partial<StoredRecord>>(bytes)
  return { created: record.created ?? 0, blocks: record.blocks ?? 0, origins: Array.isArray(record.origins) && record.origins.length > 0 ? record.origins : [...LEGACY_ORIGINS] }
}

function stored (record: PinRecord | StoredRecord): StoredRecord {
  return { created: record.created, blocks: record.blocks, origins: record.origins }
}

function encodeCount (n: number): Uint8Array {
  return new TextEncoder().encode(String(n))
}

function decodeCount (bytes: Uint8Array | undefined): number {
  return bytes == null ? 0 : Number(new TextDecoder().decode(bytes))
}
