/**
 * Building UnixFS directories over files already imported, as Kubo's `add`
 * does under the unixfs-v1-2025 profile: a dag-pb node whose Data is a UnixFS
 * `directory` and whose links (sorted by name, each with its child's
 * cumulative size) name the entries. A directory whose node would pass
 * DIRECTORY_SHARD_THRESHOLD_BYTES (its real encoded size, children's final
 * CIDs and sizes included) is written as a HAMT shard instead, as Kubo does.
 * The tree holds names and CIDs only, never file bytes.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { DIRECTORY_SHARD_THRESHOLD_BYTES } from '../constants.ts'
import { InvalidInputError } from '../errors.ts'
import { writeDagPbBlock } from './dag-pb-block.ts'
import { pathSegments } from './path-segments.ts'
import { writeShard } from './hamt/index.ts'
import type { ImportTarget } from './importer.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** A file or directory of the tree, once it has a CID. */
export interface DirectoryEntryResult {
  /** Path from the tree's root ('' for the root itself). */
  path: string
  cid: CID
  /** The DAG's cumulative size: its blocks' bytes (Kubo's `Size`, a link's `Tsize`). */
  dagSize: number
  type: 'file' | 'directory'
}

export interface DirectoryBuildOptions extends AbortOptions {
  /** Largest plain directory node in bytes; a larger directory is a HAMT shard. @default DIRECTORY_SHARD_THRESHOLD_BYTES */
  shardThresholdBytes?: number
  /** Slots per HAMT shard node. @default HAMT_FANOUT */
  shardFanout?: number
  /** Called with each directory block before it is written (to hold it from gc). */
  onBlock?(cid: CID): void
}

interface FileNode { kind: 'file', cid: CID, dagSize: number }
interface DirNode { kind: 'dir', children: Map<string, FileNode | DirNode> }

/**
 * A directory tree under construction: add files (already imported) and
 * empty directories by path, then `build()` writes the directory nodes
 * bottom-up.
 *
 * @example
 * const tree = new DirectoryTree()
 * tree.addFile('models/a.bin', cidA, sizeA)
 * for await (const dir of tree.build(blockstore)) console.log(dir.path, dir.cid)
 */
export class DirectoryTree {
  private readonly root: DirNode = { kind: 'dir', children: new Map() }

  /** Record an (empty, for now) directory at `path`. */
  addDirectory (path: string): void {
    this.dirAt(pathSegments(path), path)
  }

  /** Record a file at `path`; its parents are created as needed. */
  addFile (path: string, cid: CID, dagSize: number): void {
    const segments = pathSegments(path)
    const name = segments.pop()
    if (name == null) throw new InvalidInputError('a file needs a name')
    const parent = this.dirAt(segments, path)
    if (parent.children.has(name)) throw new InvalidInputError(`${path} was given twice`)
    parent.children.set(name, { kind: 'file', cid, dagSize })
  }

  /** Names at the top of the tree. */
  topLevel (): string[] {
    return [...this.root.children.keys()]
  }

  /**
   * Write every directory node, children before parents, siblings in name
   * order (as Kubo outputs them), and yield each. With `includeRoot`, the
   * tree's root is a directory too (Kubo's `wrap-with-directory`), yielded
   * last under the path ''.
   */
  async * build (target: ImportTarget, options: DirectoryBuildOptions & { includeRoot?: boolean } = {}): AsyncGenerator<DirectoryEntryResult> {
    if (options.includeRoot === true) {
      yield * this.buildDir(this.root, '', target, options)
      return
    }
    for (const name of sortedNames(this.root)) {
      const child = this.root.children.get(name) as FileNode | DirNode
      if (child.kind === 'dir') yield * this.buildDir(child, name, target, options)
    }
  }

  private async * buildDir (dir: DirNode, path: string, target: ImportTarget, options: DirectoryBuildOptions): AsyncGenerator<DirectoryEntryResult> {
    const links: dagPb.PBLink[] = []
    for (const name of sortedNames(dir)) {
      const child = dir.children.get(name) as FileNode | DirNode
      if (child.kind === 'file') {
        links.push({ Name: name, Hash: child.cid, Tsize: child.dagSize })
        continue
      }
      let built: DirectoryEntryResult | undefined
      for await (const entry of this.buildDir(child, path === '' ? name : `${path}/${name}`, target, options)) {
        built = entry
        yield entry
      }
      const self = built as DirectoryEntryResult
      links.push({ Name: name, Hash: self.cid, Tsize: self.dagSize })
    }
    options.signal?.throwIfAborted()
    const block = dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: links }))
    if (block.byteLength > (options.shardThresholdBytes ?? DIRECTORY_SHARD_THRESHOLD_BYTES)) {
      const entries = links.map(link => ({ name: link.Name ?? '', cid: link.Hash, dagSize: link.Tsize ?? 0 }))
      const shard = await writeShard(entries, target, { ...options, fanout: options.shardFanout })
      yield { path, cid: shard.cid, dagSize: shard.dagSize, type: 'directory' }
      return
    }
    const cid = await writeDagPbBlock(block, target, options)
    const dagSize = links.reduce((n, link) => n + (link.Tsize ?? 0), block.byteLength)
    yield { path, cid, dagSize, type: 'directory' }
  }

  private dirAt (segments: string[], path: string): DirNode {
    let dir = this.root
    for (const segment of segments) {
      let next = dir.children.get(segment)
      if (next == null) {
        next = { kind: 'dir', children: new Map() }
        dir.children.set(segment, next)
      }
      if (next.kind !== 'dir') throw new InvalidInputError(`${path}: ${segment} is a file, not a directory`)
      dir = next
    }
    return dir
  }
}

/** Byte order of the UTF-8 names, as dag-pb sorts links. */
function sortedNames (dir: DirNode): string[] {
  return [...dir.children.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}
