/**
 * `/ipfs-kit/transfer/1.1.0` and `/1.0.0`: one request and its answer per stream.
 *
 * Request (one length-prefixed message): the CIDs wanted, as a list of
 * length-prefixed CID bytes. Answer: one length-prefixed frame per CID, in
 * the order asked: a status byte, then (for BLOCK) the block's bytes, or
 * (for ELSEWHERE) the id of a peer that was sent the block moments ago. The
 * requester hashes every block against the CID it asked for before it keeps
 * it, so a provider that sends wrong bytes is caught at its first bad block.
 * A server at its limit answers a single BUSY frame.
 *
 * New in 1.1.0: a have stream. A request is never empty and every CID in it
 * is prefixed by its (non-zero) length, so a first frame starting with a
 * zero byte cannot be a 1.0.0 request; 1.1.0 gives it a meaning: `0x00 0x01`
 * then a list of CIDs (as in a request, at most TRANSFER_HAVE_BATCH) opens a
 * have stream, on which the requester pushes such frames, one per batch of
 * blocks that arrived, and never reads an answer. A 1.0.0 server refuses the
 * frame as a malformed request; a requester speaks it only to peers that
 * negotiated 1.1.0. What a have says is a hint of whom to ask, never trusted.
 */
import { decode as decodeVarint, encode as encodeVarint, encodingLength } from 'uint8-varint'
import { CID } from 'multiformats/cid'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Stream } from '@libp2p/interface'
import { MAX_BLOCK_SIZE, TRANSFER_HAVE_BATCH, TRANSFER_MAX_BLOCKS_PER_REQUEST } from '../constants.ts'

export const FRAME_BLOCK = 0
export const FRAME_MISSING = 1
export const FRAME_BUSY = 2
/** "Ask that peer": the server sent this block to another peer moments ago (payload: that peer's id, as multihash bytes). */
export const FRAME_ELSEWHERE = 3

/** The largest frame on the wire: a status byte and the largest block we accept. */
export const MAX_FRAME_BYTES = MAX_BLOCK_SIZE + 1
/** The largest request: the most CIDs a request may name, each at most 128 bytes with its prefix. */
export const MAX_REQUEST_BYTES = TRANSFER_MAX_BLOCKS_PER_REQUEST * 140
/** The prefix of a have frame (1.1.0): a zero byte (no request starts with one) and the kind, HAVE. */
export const HAVE_PREFIX = new Uint8Array([0, 1])
/** The largest have frame: its prefix and TRANSFER_HAVE_BATCH CIDs of at most 140 bytes each. */
export const MAX_HAVE_FRAME_BYTES = HAVE_PREFIX.byteLength + TRANSFER_HAVE_BATCH * 140
/** The largest first frame a 1.1.0 server reads: a request or a have frame. */
export const MAX_FIRST_FRAME_BYTES = Math.max(MAX_REQUEST_BYTES, MAX_HAVE_FRAME_BYTES)

export function encodeRequest (cids: CID[]): Uint8Array {
  const size = cids.reduce((n, cid) => n + encodingLength(cid.bytes.byteLength) + cid.bytes.byteLength, 0)
  const out = new Uint8Array(size)
  let offset = 0
  for (const cid of cids) {
    encodeVarint(cid.bytes.byteLength, out, offset)
    offset += encodingLength(cid.bytes.byteLength)
    out.set(cid.bytes, offset)
    offset += cid.bytes.byteLength
  }
  return out
}

/** @throws Error on a malformed request or one naming more than `max` (TRANSFER_MAX_BLOCKS_PER_REQUEST) CIDs */
export function decodeRequest (bytes: Uint8Array, max = TRANSFER_MAX_BLOCKS_PER_REQUEST, start = 0): CID[] {
  const cids: CID[] = []
  let offset = start
  while (offset < bytes.byteLength) {
    if (cids.length === max) throw new Error(`more than ${max} CIDs in one frame`)
    const length = decodeVarint(bytes, offset)
    offset += encodingLength(length)
    if (length === 0 || offset + length > bytes.byteLength) throw new Error('truncated CID in request')
    cids.push(CID.decode(bytes.subarray(offset, offset + length)))
    offset += length
  }
  return cids
}

/** A have frame: HAVE_PREFIX and the CIDs (at most TRANSFER_HAVE_BATCH; none is a hello: "I am fetching"). */
export function encodeHaves (cids: CID[]): Uint8Array[] {
  if (cids.length > TRANSFER_HAVE_BATCH) throw new Error(`more than ${TRANSFER_HAVE_BATCH} CIDs in one have frame`)
  return [HAVE_PREFIX, encodeRequest(cids)]
}

/** Whether a first frame opens a have stream (1.1.0) rather than asking for blocks. */
export function isHaveFrame (frame: Uint8Array): boolean {
  return frame.byteLength >= HAVE_PREFIX.byteLength && frame[0] === HAVE_PREFIX[0] && frame[1] === HAVE_PREFIX[1]
}

/** @throws Error on a frame that is not a have frame, or a malformed one, or one naming more than TRANSFER_HAVE_BATCH CIDs */
export function decodeHaves (frame: Uint8Array): CID[] {
  if (!isHaveFrame(frame)) throw new Error('not a have frame')
  return decodeRequest(frame, TRANSFER_HAVE_BATCH, HAVE_PREFIX.byteLength)
}

const STATUS = [new Uint8Array([FRAME_BLOCK]), new Uint8Array([FRAME_MISSING]), new Uint8Array([FRAME_BUSY]), new Uint8Array([FRAME_ELSEWHERE])] as const

/** The status byte of a frame, shared (never written to). */
export function statusByte (status: typeof FRAME_BLOCK | typeof FRAME_MISSING | typeof FRAME_BUSY | typeof FRAME_ELSEWHERE): Uint8Array {
  return STATUS[status]
}

/** Write one length-prefixed frame, waiting for the stream to drain when its buffer is full. */
export async function writeFrame (stream: Stream, parts: Uint8Array[], options: { signal?: AbortSignal } = {}): Promise<void> {
  const length = parts.reduce((n, p) => n + p.byteLength, 0)
  const list = new Uint8ArrayList(encodeVarint(length), ...parts)
  if (!stream.send(list)) await stream.onDrain(options)
}

/**
 * Wait until the stream's write queue is empty: everything written was handed to the muxer, which
 * takes no more than the receiver's window allows, so all but the last window has reached the
 * receiver. `onDrain` resolves at the first window update, when most of a large frame may still be
 * queued here: a send timed by it measures the local buffer, not the link (an uplink pacer then
 * ran 14 transfers at once on a 5 Mbit/s link).
 */
export async function flushed (stream: Stream, options: { signal?: AbortSignal, onProgress?(): void } = {}): Promise<void> {
  while (stream.writeBufferLength > 0) {
    options.signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      // each window update the receiver sends ('drain') is progress: it took more bytes
      const progress = (): void => { options.onProgress?.() }
      const done = (): void => {
        stream.removeEventListener('idle', done)
        stream.removeEventListener('close', done)
        stream.removeEventListener('drain', progress)
        options.signal?.removeEventListener('abort', abort)
        resolve()
      }
      const abort = (): void => {
        done()
        reject(options.signal?.reason)
      }
      stream.addEventListener('idle', done)
      stream.addEventListener('close', done)
      stream.addEventListener('drain', progress)
      options.signal?.addEventListener('abort', abort)
    })
    if (stream.status !== 'open') return
  }
}
