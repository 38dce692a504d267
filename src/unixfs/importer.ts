/**
 * A streaming UnixFS importer for exactly one profile — Kubo's
 * `unixfs-v1-2025`: 1 MiB fixed chunks, raw leaves, CIDv1, balanced DAG of
 * 1024 links per node, a one-chunk file reduced to its raw leaf. Same bytes,
 * same CIDs as `ipfs-unixfs-importer` with that profile (tests compare them),
 * but pipelined: each chunk's write starts before it is hashed (when the
 * target can `stage` it) and goes on while the next ones are hashed, with
 * IMPORT_WRITE_CONCURRENCY writes in flight and no barrier between batches.
 * It also returns the DAG's distinct blocks, so the pin that follows needs no
 * walk.
 */
import { hash } from 'node:crypto'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { CHUNK_SIZE, IMPORT_WRITE_CONCURRENCY } from '../constants.ts'
import { blockKey } from '../blocks/index.ts'
import type { StagedBlock } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'

const RAW = 0x55
const SHA2_256 = 0x12
/** Links per node in the `unixfs-v1-2025` balanced layout. */
export const PROFILE_MAX_CHILDREN = 1024

export interface ImportTarget {
  put(cid: CID, bytes: Uint8Array, options?: AbortOptions): Promise<unknown>
  /** Start writing a chunk before its CID is known; undefined when it cannot right now (then: hash, `put`). */
  stage?(bytes: Uint8Array): StagedBlock | undefined
}

export interface ImportFileOptions extends AbortOptions {
  /** @default CHUNK_SIZE (the profile's) */
  chunkSize?: number
  /** @default PROFILE_MAX_CHILDREN */
  maxChildren?: number
  /** @default IMPORT_WRITE_CONCURRENCY */
  writeConcurrency?: number
}

export interface ImportFileResult {
  cid: CID
  /** File bytes. */
  size: number
  /** Every distinct block of the DAG, by block key. */
  blocks: Map<string, CID>
}

/** A node of the DAG under construction. */
interface DagNode {
  cid: CID
  /** Bytes of file content under it. */
  fileSize: number
  /** Its block plus everything under it (the link's Tsize). */
  dagSize: number
  raw: boolean
}

export async function importFile (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, target: ImportTarget, options: ImportFileOptions = {}): Promise<ImportFileResult> {
  const chunkSize = options.chunkSize ?? CHUNK_SIZE
  const width = options.maxChildren ?? PROFILE_MAX_CHILDREN
  const concurrency = options.writeConcurrency ?? IMPORT_WRITE_CONCURRENCY
  const blocks = new Map<string, CID>()
  const inflight = new Set<Promise<unknown>>()
  let failure: unknown

  /** Wait for room among the writes in flight. */
  const slot = async (): Promise<void> => {
    if (failure != null) throw failure
    while (inflight.size >= concurrency) await Promise.race(inflight)
    if (failure != null) throw failure
  }
  const submit = (cid: CID, work: Promise<unknown>): void => {
    blocks.set(blockKey(cid), cid)
    const pending: Promise<unknown> = work.then(() => { inflight.delete(pending) }, err => { inflight.delete(pending); failure ??= err })
    inflight.add(pending)
  }
  const write = async (cid: CID, bytes: Uint8Array): Promise<void> => {
    await slot()
    submit(cid, target.put(cid, bytes, options))
  }

  // Staging writes a chunk that may be stored already; after the first such
  // chunk (a re-add) the rest are hashed first, so `put` skips their writes.
  let staging = true
  const leaf = async (chunk: Uint8Array): Promise<DagNode> => {
    options.signal?.throwIfAborted()
    await slot()
    const staged = staging ? target.stage?.(chunk) : undefined
    const cid = CID.createV1(RAW, Digest.create(SHA2_256, hash('sha256', chunk, 'buffer')))
    if (staged == null) submit(cid, target.put(cid, chunk, options))
    else submit(cid, staged.commit(cid, options).then(stored => { if (!stored) staging = false }))
    return { cid, fileSize: chunk.byteLength, dagSize: chunk.byteLength, raw: true }
  }

  const parent = async (children: DagNode[]): Promise<DagNode> => {
    const unixfs = new UnixFS({ type: 'file' })
    const links: dagPb.PBLink[] = []
    for (const child of children) {
      if (child.fileSize === 0) continue
      unixfs.addBlockSize(BigInt(child.fileSize))
      links.push({ Name: '', Tsize: child.dagSize, Hash: child.cid })
    }
    const block = dagPb.encode(dagPb.prepare({ Data: unixfs.marshal(), Links: links }))
    const cid = CID.createV1(dagPb.code, Digest.create(SHA2_256, hash('sha256', block, 'buffer')))
    await write(cid, block)
    const fileSize = children.reduce((n, c) => n + c.fileSize, 0)
    return { cid, fileSize, dagSize: block.byteLength + links.reduce((n, l) => n + (l.Tsize ?? 0), 0), raw: false }
  }

  // the first level is built as leaves arrive: a full batch of `width` leaves becomes a parent
  const leaves: DagNode[] = []
  const firstLevel: DagNode[] = []
  const addLeaf = async (chunk: Uint8Array): Promise<void> => {
    leaves.push(await leaf(chunk))
    if (leaves.length === width) firstLevel.push(await parent(leaves.splice(0)))
  }

  let pending: Uint8Array | undefined
  let filled = 0
  let size = 0
  for await (const input of source) {
    size += input.byteLength
    let offset = 0
    while (offset < input.byteLength) {
      if (filled === 0 && input.byteLength - offset >= chunkSize) {
        // a whole chunk inside the input: no copy
        await addLeaf(input.subarray(offset, offset + chunkSize))
        offset += chunkSize
        continue
      }
      pending ??= new Uint8Array(chunkSize)
      const take = Math.min(chunkSize - filled, input.byteLength - offset)
      pending.set(input.subarray(offset, offset + take), filled)
      filled += take
      offset += take
      if (filled === chunkSize) {
        await addLeaf(pending)
        pending = undefined
        filled = 0
      }
    }
  }
  // the last partial chunk, or the one empty chunk of an empty file
  if (filled > 0 || (leaves.length === 0 && firstLevel.length === 0)) await addLeaf((pending ?? new Uint8Array(0)).subarray(0, filled))

  let root: DagNode
  if (firstLevel.length === 0 && leaves.length === 1 && leaves[0] != null) {
    root = leaves[0] // one chunk: the raw leaf is the file
  } else {
    if (leaves.length > 0) firstLevel.push(await parent(leaves))
    let level = firstLevel
    while (level.length > 1) {
      const next: DagNode[] = []
      for (let i = 0; i < level.length; i += width) next.push(await parent(level.slice(i, i + width)))
      level = next
    }
    root = level[0] as DagNode
  }
  await Promise.all(inflight)
  if (failure != null) throw failure
  return { cid: root.cid, size, blocks }
}
