/**
 * Navigating UnixFS: what a block is (file, directory, raw leaf), the entries
 * of a directory, and the CID a path under a root names. Every block comes
 * from a BlockSource, so it is hash-verified before it is decoded. HAMT-sharded
 * directories are not read yet (UnsupportedContentError).
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { NotFoundError, UnsupportedContentError } from '../errors.ts'
import { pathSegments } from './directory.ts'
import type { BlockSource } from '../pins/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const RAW_CODE = 0x55

export type UnixFSKind = 'file' | 'directory' | 'raw-block' | 'other'

/** One block of a UnixFS DAG, decoded. */
export interface UnixFSNode {
  cid: CID
  bytes: Uint8Array
  /** `file` for a raw leaf or a UnixFS file; `other` for a non-UnixFS block. */
  kind: UnixFSKind
  /** File bytes (files), 0 otherwise. */
  fileSize: number
  /** The dag-pb node, for dag-pb blocks. */
  node?: dagPb.PBNode
}

export interface DirectoryLink {
  name: string
  cid: CID
  /** The link's Tsize: the child DAG's cumulative size. */
  tsize: number
}

export interface ResolveOptions extends AbortOptions {
  /** Called with each node on the way, the root first and the node named last (a gateway's CAR carries them). */
  onNode?(node: UnixFSNode): void
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
  if (unixfs.type === 'hamt-sharded-directory') {
    throw new UnsupportedContentError(`${cid} is a HAMT-sharded directory, which this node cannot read yet`)
  }
  return { cid, bytes, kind: 'other', fileSize: 0, node }
}

/** The entries of a directory node, in link order. */
export function directoryLinks (node: UnixFSNode): DirectoryLink[] {
  if (node.kind !== 'directory' || node.node == null) throw new UnsupportedContentError(`${node.cid} is not a UnixFS directory`)
  return node.node.Links.map(link => ({ name: link.Name ?? '', cid: link.Hash, tsize: link.Tsize ?? 0 }))
}

/**
 * The node `path` (slash-separated, relative) names under `root`. Each
 * segment must be a link of a directory; `..` and friends are refused
 * (UnsafePathError), a missing name is NotFoundError.
 */
export async function resolvePath (source: BlockSource, root: CID, path: string, options: ResolveOptions = {}): Promise<UnixFSNode> {
  let current = await readNode(source, root, options)
  options.onNode?.(current)
  for (const segment of pathSegments(path)) {
    if (current.kind !== 'directory') throw new NotFoundError(`${root}/${path}`, { cause: new Error(`${current.cid} is not a directory`) })
    const link = directoryLinks(current).find(l => l.name === segment)
    if (link == null) throw new NotFoundError(`${root}/${path}`, { cause: new Error(`no link named ${segment} under ${current.cid}`) })
    current = await readNode(source, link.cid, options)
    options.onNode?.(current)
  }
  return current
}
