/**
 * The blocks of a DAG in the order a CAR carries them: depth first, parents
 * before children, links in order, each block once (go-car's
 * `TraverseLinksOnlyOnce`, as Kubo's `dag export`). For the trustless
 * gateway's `dag-scope=entity` and `entity-bytes`, only the blocks that make
 * up a file's bytes (or the range asked for), or a directory's own node.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { blockKey, linksOf } from '../../blocks/index.ts'
import { decodeNode, directoryBlocks } from '../../unixfs/index.ts'
import type { BlockSource } from '../../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface Block {
  cid: CID
  bytes: Uint8Array
}

export type DagScope = 'all' | 'entity' | 'block'

/** A byte range of a file, `to` exclusive, already clamped to the file. */
export interface ByteRange {
  from: number
  to: number
}

const RAW_CODE = 0x55

/** Every block under `root` (itself first), each once. */
export async function * allBlocks (source: BlockSource, root: CID, options: AbortOptions = {}, seen = new Set<string>()): AsyncGenerator<Block> {
  const stack: CID[] = [root]
  while (stack.length > 0) {
    options.signal?.throwIfAborted()
    const cid = stack.pop() as CID
    const key = blockKey(cid)
    if (seen.has(key)) continue
    seen.add(key)
    const bytes = await source.getBytes(cid, options)
    yield { cid, bytes }
    const links = linksOf(cid, bytes)
    for (let i = links.length - 1; i >= 0; i--) stack.push(links[i] as CID)
  }
}

/**
 * The blocks of the entity at `root`: for a file, every block needed for
 * `range` (all of it by default); for a directory, the blocks needed to list
 * it (its node, and every shard node of a HAMT-sharded one); for any other
 * block, the block alone.
 */
export async function * entityBlocks (source: BlockSource, root: CID, rootBytes: Uint8Array, range: ByteRange | undefined, options: AbortOptions = {}): AsyncGenerator<Block> {
  const node = decodeNode(root, rootBytes)
  if (node.kind === 'directory') {
    yield * directoryBlocks(source, node, options)
    return
  }
  if (node.kind !== 'file') {
    yield { cid: root, bytes: rootBytes }
    return
  }
  yield * fileBlocks(source, root, rootBytes, 0, range ?? { from: 0, to: Infinity }, options)
}

async function * fileBlocks (source: BlockSource, cid: CID, known: Uint8Array | undefined, nodeOffset: number, range: ByteRange, options: AbortOptions): AsyncGenerator<Block> {
  const bytes = known ?? await source.getBytes(cid, options)
  yield { cid, bytes }
  if (cid.code === RAW_CODE) return
  const node = dagPb.decode(bytes)
  const unixfs = UnixFS.unmarshal(node.Data ?? new Uint8Array())
  let offset = nodeOffset + (unixfs.data?.byteLength ?? 0)
  for (let i = 0; i < node.Links.length; i++) {
    const link = node.Links[i] as dagPb.PBLink
    const size = Number(unixfs.blockSizes[i] ?? 0n)
    if (offset >= range.to) return
    if (offset + size > range.from) yield * fileBlocks(source, link.Hash, undefined, offset, range, options)
    offset += size
  }
}
