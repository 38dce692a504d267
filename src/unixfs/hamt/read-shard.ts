/**
 * Reading a HAMT-sharded directory. Looking up one name hashes it and follows
 * its slot down the shard nodes, one block per level, without listing the
 * directory; listing walks every shard node in link order. Blocks come from a
 * BlockSource, so each one is hash-verified before it is decoded, and a
 * sub-shard must declare the same layout as its root.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { UnsupportedContentError } from '../../errors.ts'
import { HAMT_HASH_BITS, hamtHash, levelFits, slotAt } from './hamt-hash.ts'
import { shardParams, slotLabel } from './shard-params.ts'
import type { ShardParams } from './shard-params.ts'
import type { BlockSource } from '../../blocks/index.ts'
import type { DirectoryLink } from '../directory-link.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** A decoded shard node. */
export interface ShardNode {
  cid: CID
  bytes: Uint8Array
  node: dagPb.PBNode
  params: ShardParams
}

/** One step of a walk: a shard node (the root first), or an entry of the directory. */
export type ShardStep =
  | { kind: 'shard', cid: CID, bytes: Uint8Array }
  | { kind: 'entry', link: DirectoryLink }

export interface FindInShardOptions extends AbortOptions {
  /** Called with each sub-shard block read on the way to the entry. */
  onBlock?(block: { cid: CID, bytes: Uint8Array }): void
}

/** The entry named `name` in the sharded directory `root`, or undefined. Reads one block per level below the root. */
export async function findInShard (source: BlockSource, root: ShardNode, name: string, options: FindInShardOptions = {}): Promise<DirectoryLink | undefined> {
  const hash = await hamtHash(name)
  const { params } = root
  let shard = root
  for (let depth = 0; ; depth++) {
    const slot = slotAt(hash, depth, params.bits)
    if (slot == null) throw new UnsupportedContentError(`${root.cid} is a HAMT deeper than its ${HAMT_HASH_BITS}-bit hash`)
    const label = slotLabel(slot, params)
    let below: CID | undefined
    for (const link of shard.node.Links) {
      const linkName = link.Name ?? ''
      if (!linkName.startsWith(label)) continue
      if (linkName.length === params.labelLength) below = link.Hash
      else if (linkName.slice(params.labelLength) === name) return { name, cid: link.Hash, tsize: link.Tsize ?? 0 }
    }
    if (below == null) return undefined
    const bytes = await source.getBytes(below, options)
    options.onBlock?.({ cid: below, bytes })
    shard = subShard(root, below, bytes)
  }
}

/** Every shard node and entry under `root`, depth first in link order (the order Kubo lists a HAMT in). */
export async function * walkShard (source: BlockSource, root: ShardNode, options: AbortOptions = {}): AsyncGenerator<ShardStep> {
  yield * walk(source, root, root, 0, options)
}

async function * walk (source: BlockSource, root: ShardNode, shard: ShardNode, depth: number, options: AbortOptions): AsyncGenerator<ShardStep> {
  options.signal?.throwIfAborted()
  yield { kind: 'shard', cid: shard.cid, bytes: shard.bytes }
  const { labelLength, bits } = root.params
  for (const link of shard.node.Links) {
    const linkName = link.Name ?? ''
    if (linkName.length > labelLength) {
      yield { kind: 'entry', link: { name: linkName.slice(labelLength), cid: link.Hash, tsize: link.Tsize ?? 0 } }
      continue
    }
    if (linkName.length < labelLength) throw new UnsupportedContentError(`${shard.cid} has a HAMT link named ${JSON.stringify(linkName)}, shorter than a slot label`)
    if (!levelFits(depth + 1, bits)) throw new UnsupportedContentError(`${root.cid} is a HAMT deeper than its ${HAMT_HASH_BITS}-bit hash`)
    const bytes = await source.getBytes(link.Hash, options)
    yield * walk(source, root, subShard(root, link.Hash, bytes), depth + 1, options)
  }
}

/** A verified block linked as a sub-shard of `root`: it must be a HAMT node of the same layout. */
function subShard (root: ShardNode, cid: CID, bytes: Uint8Array): ShardNode {
  const node = cid.code === dagPb.code ? dagPb.decode(bytes) : undefined
  const unixfs = node?.Data == null ? undefined : UnixFS.unmarshal(node.Data)
  if (node?.Data == null || unixfs?.type !== 'hamt-sharded-directory') throw new UnsupportedContentError(`${cid}, linked as a sub-shard of ${root.cid}, is not a HAMT shard`)
  const params = shardParams(cid, node.Data, unixfs.fanout)
  if (params.fanout !== root.params.fanout) throw new UnsupportedContentError(`${cid} has fanout ${params.fanout}, but its HAMT ${root.cid} has ${root.params.fanout}`)
  return { cid, bytes, node, params }
}
