/**
 * `/ipfs-kit/cache/1.0.0`: one length-prefixed JSON request and one answer
 * per stream. The request names a key digest (never the key); the answer is
 * the writer's signed entry, or a miss. Bounded: requests and answers of at
 * most CACHE_MAX_MESSAGE_BYTES, CACHE_MAX_INBOUND_STREAMS at once per
 * connection, CACHE_MAX_REQUESTS_PER_PEER_PER_SECOND per peer (then `busy`).
 * Versioned twice: the protocol id (a later one registers beside this and
 * askers offer the newest first) and `v` in every message; unknown fields are
 * ignored and an unknown op gets `{ error }`, so mixed versions keep working.
 */
import { lpStream } from '@libp2p/utils'
import { CACHE_MAX_INBOUND_STREAMS, CACHE_MAX_MESSAGE_BYTES, CACHE_MAX_REQUESTS_PER_PEER_PER_SECOND, CACHE_PROTOCOL } from '../constants.ts'
import type { SignedEntry } from './signed-entry.ts'
import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'

export const WIRE_VERSION = 1

export interface CacheRequest { v: number, op: 'get', key: string }
export type CacheAnswer = { v: number, entry: SignedEntry } | { v: number, miss: true } | { v: number, busy: true } | { v: number, error: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const DIGEST = /^[0-9a-f]{64}$/

/** Requests per peer in the current one-second window. */
class PeerBudget {
  private window = 0
  private readonly counts = new Map<string, number>()

  take (peer: string): boolean {
    const now = Math.floor(Date.now() / 1000)
    if (now !== this.window) {
      this.window = now
      this.counts.clear()
    }
    const n = (this.counts.get(peer) ?? 0) + 1
    this.counts.set(peer, n)
    return n <= CACHE_MAX_REQUESTS_PER_PEER_PER_SECOND
  }
}

/** Answer peers' lookups from `lookup` (a live, unexpired local entry's signed statement). */
export async function handleCacheProtocol (libp2p: Libp2p, lookup: (digest: string) => SignedEntry | undefined, timeoutMs: number): Promise<void> {
  const budget = new PeerBudget()
  await libp2p.handle(CACHE_PROTOCOL, async (stream: Stream, connection) => {
    const lp = lpStream(stream, { maxDataLength: CACHE_MAX_MESSAGE_BYTES })
    const signal = AbortSignal.timeout(timeoutMs)
    try {
      const request = JSON.parse(decoder.decode((await lp.read({ signal })).subarray())) as Partial<CacheRequest>
      let answer: CacheAnswer
      if (!budget.take(connection.remotePeer.toString())) {
        answer = { v: WIRE_VERSION, busy: true }
      } else if (request?.op === 'get' && typeof request.key === 'string' && DIGEST.test(request.key)) {
        const entry = lookup(request.key)
        answer = entry == null ? { v: WIRE_VERSION, miss: true } : { v: WIRE_VERSION, entry }
      } else {
        answer = { v: WIRE_VERSION, error: 'unknown request' }
      }
      await lp.write(encoder.encode(JSON.stringify(answer)), { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false, maxInboundStreams: CACHE_MAX_INBOUND_STREAMS })
}

/** Ask one peer for the entry of `digest`: the entry as sent (unverified), or undefined. */
export async function askEntry (libp2p: Libp2p, peer: PeerId, digest: string, options: AbortOptions): Promise<unknown> {
  const stream = await libp2p.dialProtocol(peer, CACHE_PROTOCOL, options)
  try {
    const lp = lpStream(stream, { maxDataLength: CACHE_MAX_MESSAGE_BYTES })
    const request: CacheRequest = { v: WIRE_VERSION, op: 'get', key: digest }
    await lp.write(encoder.encode(JSON.stringify(request)), options)
    const answer = JSON.parse(decoder.decode((await lp.read(options)).subarray())) as Partial<{ entry: unknown }>
    await stream.close(options).catch(() => {})
    return answer?.entry ?? undefined
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
