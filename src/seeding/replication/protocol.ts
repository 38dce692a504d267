/**
 * `/ipfs-kit/seeding/1.0.0`: one length-prefixed JSON message and one answer
 * per stream (heartbeat, pin, drop). Messages are bounded by
 * SEEDING_MAX_MESSAGE_BYTES and checked (messages.ts) before the handler sees
 * them; an unknown or malformed message gets `{ error }`.
 */
import { lpStream } from '@libp2p/utils'
import { SEEDING_MAX_INBOUND_STREAMS, SEEDING_MAX_MESSAGE_BYTES, SEEDING_MESSAGE_TIMEOUT_MS, SEEDING_PROTOCOL } from '../../constants.ts'
import { WIRE_VERSION, checkMessage } from './messages.ts'
import type { Answer, Message } from './messages.ts'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Answer members' messages with `handler` (which returns an error string to refuse). */
export async function handleSeedingProtocol (libp2p: Libp2p, handler: (peer: string, message: Message) => Promise<string | undefined>): Promise<void> {
  await libp2p.handle(SEEDING_PROTOCOL, async (stream: Stream, connection) => {
    const lp = lpStream(stream, { maxDataLength: SEEDING_MAX_MESSAGE_BYTES })
    try {
      let raw: unknown
      try {
        raw = JSON.parse(decoder.decode((await lp.read({ signal: AbortSignal.timeout(SEEDING_MESSAGE_TIMEOUT_MS) })).subarray()))
      } catch {
        raw = undefined
      }
      const message = checkMessage(raw)
      const error = message == null ? 'malformed message' : await handler(connection.remotePeer.toString(), message)
      const answer: Answer = error == null ? { v: WIRE_VERSION, ok: true } : { v: WIRE_VERSION, error }
      // a fresh deadline: the handler may take long (a preheat pulls a model)
      const signal = AbortSignal.timeout(SEEDING_MESSAGE_TIMEOUT_MS)
      await lp.write(encoder.encode(JSON.stringify(answer)), { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false, maxInboundStreams: SEEDING_MAX_INBOUND_STREAMS })
}

/** Send one message; resolves to the peer's error string, or undefined when it said ok. */
export async function sendSeedingMessage (libp2p: Libp2p, peer: PeerId, message: Message, timeoutMs = SEEDING_MESSAGE_TIMEOUT_MS): Promise<string | undefined> {
  const signal = AbortSignal.timeout(timeoutMs)
  const stream = await libp2p.dialProtocol(peer, SEEDING_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: SEEDING_MAX_MESSAGE_BYTES })
    await lp.write(encoder.encode(JSON.stringify(message)), { signal })
    const answer = JSON.parse(decoder.decode((await lp.read({ signal })).subarray())) as Partial<{ ok: boolean, error: unknown }>
    await stream.close({ signal }).catch(() => {})
    return answer?.ok === true ? undefined : String(answer?.error ?? 'no answer')
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
