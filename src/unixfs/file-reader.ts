/**
 * Reading a UnixFS file as a stream of verified bytes, with read-ahead.
 * Internal DAG nodes are read as the traversal reaches them; leaves are read
 * READ_AHEAD_BLOCKS ahead of the consumer (a networked source asks for more),
 * so disk or network reads overlap hashing. Memory stays at most that many
 * blocks per stream. Leaves are asked for with the read's length
 * (`BlockReadOptions.readLength`): a long read is a scan the hot tier does not hold.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { READ_AHEAD_BLOCKS } from '../constants.ts'
import { UnsupportedContentError } from '../errors.ts'
import type { BlockReadOptions, BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const RAW_CODE = 0x55

export interface ReadRange {
  /** First byte to read. @default 0 */
  offset?: number
  /** Bytes to read. @default the rest of the file */
  length?: number
}

/** One piece of output: either inline bytes, or a leaf block to read and slice. */
interface Piece {
  cid?: CID
  bytes?: Uint8Array
  from: number
  to: number
}

/** The file size of a UnixFS root: a raw block's length, or the size its dag-pb node declares. */
export async function fileSize (source: BlockSource, root: CID, options: AbortOptions = {}): Promise<number> {
  return sizeOfRoot(root, await source.getBytes(root, options))
}

/** The file size from a root block already read. */
export function sizeOfRoot (root: CID, bytes: Uint8Array): number {
  if (root.code === RAW_CODE) return bytes.byteLength
  return Number(unixfsOf(root, bytes).fileSize())
}

/** `source`, answering for `cid` with `bytes` already read (and verified) instead of reading it again. */
export function withBlock (source: BlockSource, cid: CID, bytes: Uint8Array): BlockSource {
  return {
    readAhead: source.readAhead,
    has: async (c, options) => c.equals(cid) || await source.has(c, options),
    getBytes: async (c, options) => c.equals(cid) ? bytes : await source.getBytes(c, options)
  }
}

export async function * readFile (source: BlockSource, root: CID, range: ReadRange & AbortOptions = {}): AsyncGenerator<Uint8Array> {
  const start = range.offset ?? 0
  const end = range.length == null ? Infinity : start + range.length
  if (end <= start) return
  const queue: Array<{ piece: Piece, block: Promise<Uint8Array> | undefined }> = []
  // the root first, for the read's length; then walked from memory (for a raw root it is the only block)
  const rootBytes = await source.getBytes(root, range)
  const leafOptions: BlockReadOptions = { ...range, readLength: Math.min(end, sizeOfRoot(root, rootBytes)) - start }
  source = withBlock(source, root, rootBytes)
  const pieces = walk(source, root, 0, start, end, range)
  let exhausted = false
  const readAhead = source.readAhead ?? READ_AHEAD_BLOCKS

  while (true) {
    while (!exhausted && queue.length < readAhead) {
      const next = await pieces.next()
      if (next.done === true) {
        exhausted = true
        break
      }
      const piece = next.value
      let block: Promise<Uint8Array> | undefined
      if (piece.cid != null) {
        block = source.getBytes(piece.cid, leafOptions)
        // awaited below in order; this only keeps an early failure from being reported as unhandled
        block.catch(() => {})
      }
      queue.push({ piece, block })
    }
    const head = queue.shift()
    if (head == null) return
    const bytes = head.block != null ? await head.block : head.piece.bytes as Uint8Array
    const slice = bytes.subarray(head.piece.from, Math.min(head.piece.to, bytes.byteLength))
    if (slice.byteLength > 0) yield slice
  }
}

/** Depth-first, in file order: the pieces of the file that overlap [start, end). */
async function * walk (source: BlockSource, cid: CID, nodeOffset: number, start: number, end: number, options: AbortOptions, knownSize?: number): AsyncGenerator<Piece> {
  if (cid.code === RAW_CODE) {
    const size = knownSize ?? Infinity
    yield { cid, from: Math.max(0, start - nodeOffset), to: Math.min(size, end - nodeOffset) }
    return
  }
  const bytes = await source.getBytes(cid, options)
  const node = dagPb.decode(bytes)
  const unixfs = unixfsOf(cid, bytes, node)
  let offset = nodeOffset
  if (unixfs.data != null && unixfs.data.byteLength > 0) {
    const data = unixfs.data
    if (offset + data.byteLength > start && offset < end) {
      yield { bytes: data, from: Math.max(0, start - offset), to: Math.min(data.byteLength, end - offset) }
    }
    offset += data.byteLength
  }
  for (let i = 0; i < node.Links.length; i++) {
    const link = node.Links[i] as dagPb.PBLink
    const size = Number(unixfs.blockSizes[i] ?? 0n)
    if (offset >= end) return
    if (offset + size > start) {
      yield * walk(source, link.Hash, offset, start, end, options, size)
    }
    offset += size
  }
}

function unixfsOf (cid: CID, bytes: Uint8Array, node = dagPb.decode(bytes)): UnixFS {
  if (cid.code !== dagPb.code) {
    throw new UnsupportedContentError(`${cid} is not a UnixFS file (codec 0x${cid.code.toString(16)})`)
  }
  if (node.Data == null) throw new UnsupportedContentError(`${cid} is a dag-pb node without UnixFS data`)
  const unixfs = UnixFS.unmarshal(node.Data)
  if (unixfs.type !== 'file' && unixfs.type !== 'raw') {
    throw new UnsupportedContentError(`${cid} is a UnixFS ${unixfs.type}, not a file`)
  }
  return unixfs
}
