/**
 * Answering `/ipfs-kit/models/1.0.0` as a hostile peer pleases, in place of
 * the kit's own handler, and asking it of others with no size limit (to
 * measure what they send).
 */
import { lpStream } from '@libp2p/utils'
import { MODELS_PROTOCOL } from '../../src/constants.ts'
import type { ModelsRequest } from '../../src/models/protocol.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
/** What a hostile answer may weigh: far over what honest peers accept, so that they are the ones refusing. */
const HOSTILE_MAX_BYTES = 64 * 1024 * 1024

/** From now on answer every models request with `answer(request)`. */
export async function answerModels (libp2p: Libp2p, answer: (request: ModelsRequest) => unknown): Promise<void> {
  await libp2p.unhandle(MODELS_PROTOCOL)
  await libp2p.handle(MODELS_PROTOCOL, async stream => {
    const lp = lpStream(stream, { maxDataLength: HOSTILE_MAX_BYTES })
    try {
      const request = JSON.parse(decoder.decode((await lp.read()).subarray())) as ModelsRequest
      await lp.write(encoder.encode(JSON.stringify(answer(request))))
      await stream.close()
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false })
}

/** Ask `peer` for its index, accepting any size: the answer's size in bytes and its entries. */
export async function askIndexUnbounded (libp2p: Libp2p, peer: PeerId): Promise<{ bytes: number, providers: Array<{ name: string, peerId: string }> }> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await libp2p.dialProtocol(peer, MODELS_PROTOCOL, { signal })
  const lp = lpStream(stream, { maxDataLength: HOSTILE_MAX_BYTES })
  await lp.write(encoder.encode(JSON.stringify({ op: 'index' })), { signal })
  const bytes = (await lp.read({ signal })).subarray()
  await stream.close().catch(() => {})
  return { bytes: bytes.byteLength, providers: JSON.parse(decoder.decode(bytes)).providers ?? [] }
}
