/**
 * `/ipfs-kit/cache/1.0.0`: one length-prefixed JSON request and one answer
 * per stream. The request names a key digest (never the key); the answer is
 * the writer's signed entry, or a miss. A request may say `inline: n`: then
 * the answer to a one-block value (raw CID) of at most n bytes
 * (CACHE_INLINE_MAX_BYTES) says `inline: true` and a second frame carries the
 * value's bytes, which the asker hashes against the signed CID — one round
 * trip instead of a transfer session. Bounded: requests and entry answers of
 * at most CACHE_MAX_MESSAGE_BYTES, CACHE_MAX_INBOUND_STREAMS at once per
 * connection, CACHE_MAX_REQUESTS_PER_PEER_PER_SECOND per peer (then `busy`),
 * CACHE_INLINE_BYTES_PER_PEER_PER_SECOND of inline values per peer (then the
 * entry alone).
 * Versioned twice: the protocol id (a later one registers beside this and
 * askers offer the newest first) and `v` in every message; unknown fields are
 * ignored and an unknown op gets `{ error }`, so mixed versions keep working.
 */
import { lpStream } from '@libp2p/utils'
import { parseCid } from '../blocks/index.ts'
import { CACHE_INLINE_BYTES_PER_PEER_PER_SECOND, CACHE_INLINE_MAX_BYTES, CACHE_MAX_INBOUND_STREAMS, CACHE_MAX_MESSAGE_BYTES, CACHE_MAX_REQUESTS_PER_PEER_PER_SECOND, CACHE_PROTOCOL } from '../constants.ts'
import type { SignedEntry } from './signed-entry.ts'
import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'

export const WIRE_VERSION = 1

export interface CacheRequest { v: number, op: 'get', key: string, inline?: number }
export type CacheAnswer = { v: number, entry: SignedEntry, inline?: true } | { v: number, miss: true } | { v: number, busy: true } | { v: number, error: string }

const RAW = 0x55

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const DIGEST = /^[0-9a-f]{64}$/

/** Per peer, requests and inline bytes in the current one-second window. */
class PeerBudget {
  private window = 0
  private readonly counts = new Map<string, { requests: number, bytes: number }>()

  private of (peer: string): { requests: number, bytes: number } {
    const now = Math.floor(Date.now() / 1000)
    if (now !== this.window) {
      this.window = now
      this.counts.clear()
    }
    let c = this.counts.get(peer)
    if (c == null) {
      c = { requests: 0, bytes: 0 }
      this.counts.set(peer, c)
    }
    return c
  }

  take (peer: string): boolean {
    return ++this.of(peer).requests <= CACHE_MAX_REQUESTS_PER_PEER_PER_SECOND
  }

  takeBytes (peer: string, bytes: number): boolean {
    const c = this.of(peer)
    if (c.bytes + bytes > CACHE_INLINE_BYTES_PER_PEER_PER_SECOND) return false
    c.bytes += bytes
    return true
  }
}

/** What the server side reads from the cache. */
export interface CacheServerSource {
  /** A live, unexpired local entry's signed statement. */
  entry(digest: string): SignedEntry | undefined
  /** The value of that entry from this node alone (memory or disk, never peers), or undefined. */
  value(digest: string, entry: SignedEntry): Promise<Uint8Array | undefined>
  /** Called once per request answered (a hit or a miss). */
  served?(): void
}

/** Whether an entry's value can travel inline: one raw block within both caps. */
function inlinable (entry: SignedEntry, asked: unknown): boolean {
  if (!Number.isSafeInteger(asked) || (asked as number) <= 0) return false
  return entry.size <= Math.min(asked as number, CACHE_INLINE_MAX_BYTES) && parseCid(entry.cid).code === RAW
}

/** Answer peers' lookups from `source`. */
export async function handleCacheProtocol (libp2p: Libp2p, source: CacheServerSource, timeoutMs: number): Promise<void> {
  const budget = new PeerBudget()
  await libp2p.handle(CACHE_PROTOCOL, async (stream: Stream, connection) => {
    const lp = lpStream(stream, { maxDataLength: CACHE_MAX_MESSAGE_BYTES })
    const signal = AbortSignal.timeout(timeoutMs)
    const peer = connection.remotePeer.toString()
    try {
      const request = JSON.parse(decoder.decode((await lp.read({ signal })).subarray())) as Partial<CacheRequest>
      let answer: CacheAnswer
      let value: Uint8Array | undefined
      if (!budget.take(peer)) {
        answer = { v: WIRE_VERSION, busy: true }
      } else if (request?.op === 'get' && typeof request.key === 'string' && DIGEST.test(request.key)) {
        const entry = source.entry(request.key)
        source.served?.()
        if (entry != null && inlinable(entry, request.inline) && budget.takeBytes(peer, entry.size)) {
          value = await source.value(request.key, entry).catch(() => undefined)
        }
        answer = entry == null ? { v: WIRE_VERSION, miss: true } : value == null ? { v: WIRE_VERSION, entry } : { v: WIRE_VERSION, entry, inline: true }
      } else {
        answer = { v: WIRE_VERSION, error: 'unknown request' }
      }
      await lp.write(encoder.encode(JSON.stringify(answer)), { signal })
      if (value != null) await lp.write(value, { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false, maxInboundStreams: CACHE_MAX_INBOUND_STREAMS })
}

export interface AskOptions extends AbortOptions {
  /** Largest value accepted inside the answer; 0: the entry alone. @default 0 */
  inline?: number
}

/** A peer's answer as sent: nothing of it is believed yet. */
export interface RawAnswer {
  entry: unknown
  /** The inline value, when the peer sent one (its length at most the `inline` asked). */
  value?: Uint8Array
}

/** Ask one peer for the entry of `digest` (and, with `inline`, its value): the answer as sent, or undefined for a miss. */
export async function askEntry (libp2p: Libp2p, peer: PeerId, digest: string, options: AskOptions): Promise<RawAnswer | undefined> {
  const stream = await libp2p.dialProtocol(peer, CACHE_PROTOCOL, options)
  try {
    const inline = Math.min(options.inline ?? 0, CACHE_INLINE_MAX_BYTES)
    const lp = lpStream(stream, { maxDataLength: Math.max(CACHE_MAX_MESSAGE_BYTES, inline) })
    const request: CacheRequest = inline > 0 ? { v: WIRE_VERSION, op: 'get', key: digest, inline } : { v: WIRE_VERSION, op: 'get', key: digest }
    await lp.write(encoder.encode(JSON.stringify(request)), options)
    const first = await lp.read(options)
    if (first.byteLength > CACHE_MAX_MESSAGE_BYTES) throw new Error(`the answer is ${first.byteLength} bytes, over CACHE_MAX_MESSAGE_BYTES`)
    const answer = JSON.parse(decoder.decode(first.subarray())) as Partial<{ entry: unknown, inline: unknown }>
    const value = answer?.entry != null && answer.inline === true && inline > 0 ? (await lp.read(options)).subarray() : undefined
    await stream.close(options).catch(() => {})
    return answer?.entry == null ? undefined : { entry: answer.entry, value }
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
