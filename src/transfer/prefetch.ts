/**
 * Fetching a whole UnixFS file's blocks into the local store: the internal
 * nodes level by level (each is small), then the leaves in random order,
 * TRANSFER_PREFETCH_WANTS at a time. Random order is what lets many nodes
 * pulling the same file at once swarm: each holds different pieces early and
 * serves them to the others, instead of all waiting on the same block from
 * the same seed.
 *
 * A DAG from a peer is hostile input: every block is fetched once however
 * often it is linked (a "bomb" links one leaf a million times), and every
 * node's sizes must add up — its UnixFS fileSize equals the size its parent
 * declares for it (the root's, `size`), and its data plus its links' block
 * sizes equal its fileSize — before any leaf is asked for. A DAG that fails
 * is refused with ManifestMismatchError.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { TRANSFER_PREFETCH_WANTS } from '../constants.ts'
import { ManifestMismatchError } from '../errors.ts'
import { shuffled } from './shuffle.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const RAW_CODE = 0x55

export interface PrefetchOptions extends AbortOptions {
  /** Leaves wanted at once. @default TRANSFER_PREFETCH_WANTS */
  concurrency?: number
  /** Called with the size of each distinct leaf once it is local (fetched now or already there). */
  onLeaf?(bytes: number): void
  /** The file size the caller was promised (a manifest's `size`): the root must declare exactly this. @default not checked */
  size?: number
  /** Names the file in errors. @default the root CID */
  path?: string
}

/** A dag-pb UnixFS file node whose sizes add up: its file size and its children with the size each must have. */
export interface FileNode {
  fileSize: number
  children: Array<{ cid: CID, size: number }>
}

/**
 * Decode a dag-pb UnixFS file node and check that its sizes add up.
 *
 * @throws ManifestMismatchError when it is not a file node or its sizes do not add up
 */
export function fileNodeOf (cid: CID, bytes: Uint8Array, path = cid.toString()): FileNode {
  let node: dagPb.PBNode
  let unixfs: UnixFS
  try {
    node = dagPb.decode(bytes)
    if (node.Data == null) throw new Error('no UnixFS data')
    unixfs = UnixFS.unmarshal(node.Data)
  } catch (err) {
    throw new ManifestMismatchError(path, `${cid} is not a UnixFS node: ${(err as Error).message}`)
  }
  if (unixfs.type !== 'file' && unixfs.type !== 'raw') throw new ManifestMismatchError(path, `${cid} is a UnixFS ${unixfs.type}, not a file`)
  if (unixfs.blockSizes.length !== node.Links.length) {
    throw new ManifestMismatchError(path, `${cid} has ${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`)
  }
  const fileSize = Number(unixfs.fileSize())
  let sum = unixfs.data?.byteLength ?? 0
  const children = node.Links.map((link, i) => {
    const size = Number(unixfs.blockSizes[i] as bigint)
    sum += size
    return { cid: link.Hash, size }
  })
  // fileSize() is data + block sizes when there are links, so only a node with inline data and
  // links could disagree here; the explicit check keeps this true whatever the decoder does
  if (sum !== fileSize || !Number.isSafeInteger(fileSize)) throw new ManifestMismatchError(path, `${cid} declares ${fileSize} bytes but its parts add up to ${sum}`)
  return { fileSize, children }
}

/** The size a root block declares for its file (a raw block: its length), checked against `expected` when given. */
export function checkRootSize (cid: CID, bytes: Uint8Array, expected: number | undefined, path = cid.toString()): number {
  const size = cid.code === RAW_CODE ? bytes.byteLength : fileNodeOf(cid, bytes, path).fileSize
  if (expected != null && size !== expected) throw new ManifestMismatchError(path, `its root ${cid} declares ${size} bytes, the manifest ${expected}`)
  return size
}

/**
 * @throws NotFoundError for the first block no source had
 * @throws ManifestMismatchError when the DAG's sizes do not add up (or the root's is not `size`)
 */
export async function prefetchFile (source: BlockSource, root: CID, options: PrefetchOptions = {}): Promise<void> {
  const path = options.path ?? root.toString()
  // distinct leaves, with the size their parents declare (a leaf linked twice must be declared the same size twice)
  const leaves = new Map<string, { cid: CID, size: number }>()
  // internal nodes already queued, with the size declared for them
  const seen = new Map<string, number>()
  const addLeaf = (cid: CID, size: number): void => {
    const key = cid.toString()
    const known = leaves.get(key)
    if (known != null && known.size !== size) throw new ManifestMismatchError(path, `leaf ${key} is declared as ${known.size} and as ${size} bytes`)
    leaves.set(key, { cid, size })
  }
  if (root.code === RAW_CODE) {
    if (options.size != null) addLeaf(root, options.size)
    else leaves.set(root.toString(), { cid: root, size: -1 })
  }
  for (let level = root.code === RAW_CODE ? [] : [{ cid: root, size: options.size }]; level.length > 0;) {
    const next: Array<{ cid: CID, size: number }> = []
    await Promise.all(level.map(async ({ cid, size }) => {
      const bytes = await source.getBytes(cid, options)
      const node = fileNodeOf(cid, bytes, path)
      if (size != null && node.fileSize !== size) throw new ManifestMismatchError(path, `${cid} declares ${node.fileSize} bytes where its parent says ${size}`)
      for (const child of node.children) {
        if (child.cid.code === RAW_CODE) {
          addLeaf(child.cid, child.size)
          continue
        }
        const key = child.cid.toString()
        const known = seen.get(key)
        if (known != null && known !== child.size) throw new ManifestMismatchError(path, `${key} is declared as ${known} and as ${child.size} bytes`)
        if (known != null) continue
        seen.set(key, child.size)
        next.push(child)
      }
      // a dag-pb node with no links holds its data inline: nothing more to fetch
    }))
    level = next
  }
  const queue = shuffled([...leaves.values()])
  let i = 0
  const worker = async (): Promise<void> => {
    while (i < queue.length) {
      const leaf = queue[i++] as { cid: CID, size: number }
      const bytes = await source.getBytes(leaf.cid, options)
      if (leaf.size >= 0 && bytes.byteLength !== leaf.size) throw new ManifestMismatchError(path, `leaf ${leaf.cid} is ${bytes.byteLength} bytes, declared ${leaf.size}`)
      options.onLeaf?.(bytes.byteLength)
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? TRANSFER_PREFETCH_WANTS, queue.length) }, worker))
}
