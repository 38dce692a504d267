/**
 * Navigating UnixFS: what a block is (file, directory, raw leaf), the entries
 * of a directory, plain or HAMT-sharded, and the CID a path under a root
 * names. Every block comes from a BlockSource, so it is hash-verified before
 * it is decoded. A name is looked up in a sharded directory by its hash, one
 * shard node per level, never by listing the directory.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { NotFoundError, UnsupportedContentError } from '../errors.ts'
import { pathSegments } from './path-segments.ts'
import { findInShard, shardParams, walkShard } from './hamt/index.ts'
import type { ShardNode, ShardParams } from './hamt/index.ts'
import type { DirectoryLink } from './directory-link.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export type { DirectoryLink } from './directory-link.ts'

const RAW_CODE = 0x55

export type UnixFSKind = 'file' | 'directory' | 'raw-block' | 'other'

/** One block of a UnixFS DAG, decoded. */
export interface UnixFSNode {
  cid: CID
  bytes: Uint8Array
  /** `file` for a raw leaf or a UnixFS file; `directory` for a plain or HAMT-sharded one; `other` for a non-UnixFS block. */
  kind: UnixFSKind
  /** File bytes (files), 0 otherwise. */
  fileSize: number
  /** The dag-pb node, for dag-pb blocks. */
  node?: dagPb.PBNode
  /** The shard layout, for the root of a HAMT-sharded directory. */
  shard?: ShardParams
}


/** A block read on the way. */
export interface ReadBlock {
  cid: CID
  bytes: Uint8Array
}

export interface ResolveOptions extends AbortOptions {
  /** Called with each node on the way, the root first and the node named last (X-Ipfs-Roots). */
  onNode?(node: UnixFSNode): void
  /**
   * Called with every block read, in order: the nodes of the path and, between a sharded
   * directory and its entry, the shard nodes crossed (a gateway's CAR carries them all).
   */
  onBlock?(block: ReadBlock): void
}

/** Read `cid` and say what it is. */
export async function readNode (source: BlockSource, cid: CID, options: AbortOptions = {}): Promise<UnixFSNode> {
  const bytes = await source.getBytes(cid, options)
  return decodeNode(cid, bytes)
}

/** What an already verified block is. */
export function decodeNode (cid: CID, bytes: Uint8Array): UnixFSNode {
  if (cid.code === RAW_CODE) return { cid, bytes, kind: 'file', fileSize: bytes.byteLength }
  if (cid.code !== dagPb.code) return { cid, bytes, kind: 'other', fileSize: 0 }
  const node = dagPb.decode(bytes)
  if (node.Data == null) return { cid, bytes, kind: 'other', fileSize: 0, node }
  const unixfs = UnixFS.unmarshal(node.Data)
  if (unixfs.type === 'file' || unixfs.type === 'raw') return { cid, bytes, kind: 'file', fileSize: Number(unixfs.fileSize()), node }
  if (unixfs.type === 'directory') return { cid, bytes, kind: 'directory', fileSize: 0, node }
  if (unixfs.type === 'hamt-sharded-directory') return { cid, bytes, kind: 'directory', fileSize: 0, node, shard: shardParams(cid, node.Data, unixfs.fanout) }
  return { cid, bytes, kind: 'other', fileSize: 0, node }
}

/** The entries of a directory, in link order (a sharded one in shard order, reading its shard nodes as it goes). */
export async function * directoryEntries (source: BlockSource, dir: UnixFSNode, options: AbortOptions = {}): AsyncGenerator<DirectoryLink> {
  const shard = asShard(dir)
  if (shard == null) {
    yield * plainLinks(dir)
    return
  }
  for await (const step of walkShard(source, shard, options)) {
    if (step.kind === 'entry') yield step.link
  }
}

/** The blocks that make up a directory itself, not its entries: its node, and for a sharded one every shard node. */
export async function * directoryBlocks (source: BlockSource, dir: UnixFSNode, options: AbortOptions = {}): AsyncGenerator<ReadBlock> {
  const shard = asShard(dir)
  if (shard == null) {
    yield { cid: dir.cid, bytes: dir.bytes }
    return
  }
  for await (const step of walkShard(source, shard, options)) {
    if (step.kind === 'shard') yield { cid: step.cid, bytes: step.bytes }
  }
}

/** The entry `name` of a directory, or undefined; in a sharded directory only the shard nodes on its hash's path are read. */
export async function findEntry (source: BlockSource, dir: UnixFSNode, name: string, options: ResolveOptions = {}): Promise<DirectoryLink | undefined> {
  const shard = asShard(dir)
  if (shard == null) return plainLinks(dir).find(link => link.name === name)
  return await findInShard(source, shard, name, options)
}

/**
 * The node `path` (slash-separated, relative) names under `root`. Each
 * segment must be an entry of a directory; `..` and friends are refused
 * (UnsafePathError), a missing name is NotFoundError.
 */
export async function resolvePath (source: BlockSource, root: CID, path: string, options: ResolveOptions = {}): Promise<UnixFSNode> {
  let current = await readNode(source, root, options)
  options.onBlock?.(current)
  options.onNode?.(current)
  for (const segment of pathSegments(path)) {
    if (current.kind !== 'directory') throw new NotFoundError(`${root}/${path}`, { cause: new Error(`${current.cid} is not a directory`) })
    const link = await findEntry(source, current, segment, options)
    if (link == null) throw new NotFoundError(`${root}/${path}`, { cause: new Error(`no link named ${segment} under ${current.cid}`) })
    current = await readNode(source, link.cid, options)
    options.onBlock?.(current)
    options.onNode?.(current)
  }
  return current
}

function plainLinks (dir: UnixFSNode): DirectoryLink[] {
  if (dir.kind !== 'directory' || dir.node == null) throw new UnsupportedContentError(`${dir.cid} is not a UnixFS directory`)
  return dir.node.Links.map(link => ({ name: link.Name ?? '', cid: link.Hash, tsize: link.Tsize ?? 0 }))
}

function asShard (dir: UnixFSNode): ShardNode | undefined {
  if (dir.kind !== 'directory' || dir.node == null) throw new UnsupportedContentError(`${dir.cid} is not a UnixFS directory`)
  return dir.shard == null ? undefined : { cid: dir.cid, bytes: dir.bytes, node: dir.node, params: dir.shard }
}
