/**
 * One request of the transfer protocol, the requester's side: a stream to
 * the provider, the batch's CIDs asked in one frame, and the answers read in
 * order — a block (hashed against its CID here, before anything else sees
 * it), MISSING, ELSEWHERE (another peer has it) or BUSY (ask later). The
 * session (session.ts) decides what each answer means for its wants and its
 * providers; this file only speaks the wire (wire.ts) over a stream with
 * backpressure (frame-reader.ts).
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { TRANSFER_BLOCK_TIMEOUT_MS } from '../constants.ts'
import { verifyBlock } from '../blocks/index.ts'
import { FrameReader } from './frame-reader.ts'
import { encodeRequest, FRAME_BLOCK, FRAME_BUSY, FRAME_ELSEWHERE, FRAME_MISSING, MAX_FRAME_BYTES, writeFrame } from './wire.ts'
import type { Provider } from './provider.ts'
import type { Libp2p } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** What the provider answered for the CID at `index` of the batch; a rejection ends the request. */
export interface AskAnswers {
  /** Its block, already verified against the CID. */
  block(index: number, bytes: Uint8Array): Promise<void>
  /** It lacks the block. */
  missing(index: number): void
  /** It names another peer (a peer id string) that has the block. */
  elsewhere(index: number, peer: string): void
  /** It is busy: no more answers follow. */
  busy(): void
  /** It sent bytes that do not hash to the CID: no more answers are read. */
  lying(index: number): void
}

/**
 * Ask `provider` for `cids` and hand each answer to `answers`, in order. Marks the provider capable
 * (the stream opened) or not (it does not speak `protocols`). Rejects when the dial, the stream or
 * an answer's handler fails, or when no frame arrives for TRANSFER_BLOCK_TIMEOUT_MS.
 */
export async function ask (libp2p: Libp2p, provider: Provider, protocols: string[], cids: CID[], answers: AskAnswers, signal: AbortSignal): Promise<void> {
  const stream = await libp2p.dialProtocol(provider.id, protocols, { signal: AbortSignal.any([signal, AbortSignal.timeout(TRANSFER_BLOCK_TIMEOUT_MS)]) })
    .catch((err: any) => {
      if (err.name === 'UnsupportedProtocolError') provider.incapable()
      throw err
    })
  provider.capable = true
  const frames = new FrameReader(stream, MAX_FRAME_BYTES)
  try {
    await writeFrame(stream, [encodeRequest(cids)], { signal })
    for (let i = 0; i < cids.length; i++) {
      const frame = await frames.read({ signal, idleTimeoutMs: TRANSFER_BLOCK_TIMEOUT_MS })
      const status = frame.get(0)
      if (status === FRAME_BUSY) {
        answers.busy()
        break
      }
      if (status === FRAME_ELSEWHERE) {
        answers.elsewhere(i, peerIdFromMultihash(Digest.decode(frame.subarray(1))).toString())
        continue
      }
      if (status === FRAME_MISSING) {
        answers.missing(i)
        continue
      }
      if (status !== FRAME_BLOCK) throw new Error(`unknown frame status ${status}`)
      const bytes = frame.subarray(1)
      if (!verifyBlock(cids[i] as CID, bytes)) {
        answers.lying(i)
        break
      }
      await answers.block(i, bytes)
    }
    frames.release()
    await stream.close().catch(() => {})
  } catch (err) {
    frames.release()
    stream.abort(err as Error)
    throw err
  }
}
