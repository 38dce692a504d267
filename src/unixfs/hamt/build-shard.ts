/**
 * Writing a directory as a UnixFS HAMT shard, the way boxo (Kubo) and
 * ipfs-unixfs-importer lay one out: each name goes to the slot its hash's
 * next `log2(fanout)` bits pick; a slot one entry falls in links that entry
 * (label + name), a slot several fall in links a sub-shard (label alone) one
 * level down. The layout depends only on the set of names, never on the order
 * they came in, so the same entries always give the same CID. Each node is a
 * dag-pb block whose Data is a UnixFS `HAMTShard` with the slot bitfield, the
 * fanout and the hash function; sub-shards are written before their parent.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { HAMT_FANOUT, HAMT_MAX_FANOUT, HAMT_MIN_FANOUT } from '../../constants.ts'
import { InvalidInputError } from '../../errors.ts'
import { writeDagPbBlock } from '../dag-pb-block.ts'
import { HAMT_HASH_CODE, hamtHash, slotAt } from './hamt-hash.ts'
import { isValidFanout, shardLayout, slotLabel } from './shard-params.ts'
import type { WriteBlockOptions } from '../dag-pb-block.ts'
import type { ImportTarget } from '../importer.ts'
import type { ShardParams } from './shard-params.ts'
import type { CID } from 'multiformats/cid'

/** One entry of the directory: its name and the root of what it names. */
export interface ShardEntry {
  name: string
  cid: CID
  /** Cumulative size of the entry's DAG (the link's Tsize). */
  dagSize: number
}

export interface WriteShardOptions extends WriteBlockOptions {
  /** Slots per shard node, a power of two from 8 to 1024. @default HAMT_FANOUT */
  fanout?: number
}

/** A written shard: its root and the cumulative size of everything under it (the root's Tsize in its parent). */
export interface WrittenShard {
  cid: CID
  dagSize: number
}

interface Hashed extends ShardEntry {
  hash: Uint8Array
}

/**
 * Write `entries` as a HAMT-sharded directory into `target` and return its root.
 *
 * @example
 * const { cid } = await writeShard([{ name: 'a.txt', cid: fileCid, dagSize: 12 }], blockstore)
 */
export async function writeShard (entries: ShardEntry[], target: ImportTarget, options: WriteShardOptions = {}): Promise<WrittenShard> {
  const fanout = options.fanout ?? HAMT_FANOUT
  if (!isValidFanout(fanout)) throw new InvalidInputError(`HAMT fanout ${fanout} is not a power of two from ${HAMT_MIN_FANOUT} to ${HAMT_MAX_FANOUT}`)
  const params = shardLayout(fanout)
  const hashed: Hashed[] = []
  for (const entry of entries) hashed.push({ ...entry, hash: await hamtHash(entry.name) })
  return await writeNode(hashed, 0, params, target, options)
}

async function writeNode (entries: Hashed[], depth: number, params: ShardParams, target: ImportTarget, options: WriteShardOptions): Promise<WrittenShard> {
  options.signal?.throwIfAborted()
  const slots = new Map<number, Hashed[]>()
  for (const entry of entries) {
    const slot = slotAt(entry.hash, depth, params.bits)
    if (slot == null) throw new InvalidInputError(`the names ${entries.map(e => JSON.stringify(e.name)).join(', ')} share one 64-bit HAMT hash, which a sharded directory cannot hold`)
    const bucket = slots.get(slot)
    if (bucket == null) slots.set(slot, [entry])
    else bucket.push(entry)
  }
  const links: dagPb.PBLink[] = []
  const bitfield = new Uint8Array(params.fanout / 8)
  for (const slot of [...slots.keys()].sort((a, b) => a - b)) {
    const bucket = slots.get(slot) as Hashed[]
    const label = slotLabel(slot, params)
    // go-bitfield's layout: big-endian, slot 0 is the lowest bit of the last byte
    const at = bitfield.length - 1 - (slot >> 3)
    bitfield[at] = (bitfield[at] ?? 0) | (1 << (slot & 7))
    if (bucket.length === 1) {
      const only = bucket[0] as Hashed
      links.push({ Name: label + only.name, Hash: only.cid, Tsize: only.dagSize })
      continue
    }
    const child = await writeNode(bucket, depth + 1, params, target, options)
    links.push({ Name: label, Hash: child.cid, Tsize: child.dagSize })
  }
  // go-bitfield's Bytes(): leading zero bytes are dropped
  const firstSet = bitfield.findIndex(byte => byte !== 0)
  const data = new UnixFS({ type: 'hamt-sharded-directory', data: bitfield.subarray(firstSet === -1 ? bitfield.length : firstSet), fanout: BigInt(params.fanout), hashType: BigInt(HAMT_HASH_CODE) })
  const block = dagPb.encode(dagPb.prepare({ Data: data.marshal(), Links: links }))
  const cid = await writeDagPbBlock(block, target, options)
  return { cid, dagSize: links.reduce((n, link) => n + (link.Tsize ?? 0), block.byteLength) }
}
