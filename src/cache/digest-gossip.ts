/**
 * Gossip of new cache entries: when this node admits an entry it announces
 * the key's digest (never the key) and its expiry on CACHE_TOPIC, batched
 * for CACHE_GOSSIP_DELAY_MS; what other nodes announce goes into a
 * HintIndex, so a miss asks the peers that hold the key first. A message is
 * believed only for its signer (gossipsub's signature): a peer announces
 * itself, never a third peer. Messages are bounded in bytes and digests.
 * Nodes that joined after an announcement have no hint for it; their misses
 * ask every connected peer, as without gossip.
 */
import { logger } from '@libp2p/logger'
import { CACHE_GOSSIP_DELAY_MS, CACHE_GOSSIP_MAX_DIGESTS, CACHE_GOSSIP_MAX_MESSAGE_BYTES, CACHE_TOPIC } from '../constants.ts'
import type { HintIndex } from './hints.ts'
import type { PubSub } from '../named/index.ts'
import type { Libp2p } from '@libp2p/interface'

const log = logger('ipfs-kit:cache:gossip')
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const DIGEST = /^[0-9a-f]{64}$/

/** `{ v: 1, d: [[digest, expires | null], …] }` */
interface DigestMessage { v: number, d: Array<[string, number | null]> }

export interface DigestGossip {
  /** Announce an entry this node now holds. */
  announce(digest: string, expires: number | null): void
  /** Digests announced since start. */
  readonly announced: number
  stop(): void
}

export function startDigestGossip (libp2p: Libp2p, hints: HintIndex): DigestGossip {
  const pubsub = (libp2p.services as { pubsub?: PubSub }).pubsub
  const self = libp2p.peerId.toString()
  let pending: Array<[string, number | null]> = []
  let timer: NodeJS.Timeout | undefined
  let announced = 0

  const onMessage = (evt: CustomEvent<any>): void => {
    const message = evt.detail
    if (message?.topic !== CACHE_TOPIC || message.type !== 'signed') return
    const signer = message.from.toString()
    if (signer === self || !(message.data instanceof Uint8Array) || message.data.byteLength > CACHE_GOSSIP_MAX_MESSAGE_BYTES) return
    try {
      const body = JSON.parse(decoder.decode(message.data)) as DigestMessage
      if (body?.v !== 1 || !Array.isArray(body.d)) return
      const now = Date.now()
      for (const item of body.d.slice(0, CACHE_GOSSIP_MAX_DIGESTS)) {
        if (!Array.isArray(item)) continue
        const [digest, expires] = item
        if (typeof digest !== 'string' || !DIGEST.test(digest)) continue
        if (expires !== null && !Number.isSafeInteger(expires)) continue
        hints.add(signer, digest, expires, now)
      }
    } catch (err) {
      log('ignoring a malformed digest message from %s - %e', signer, err)
    }
  }

  const flush = (): void => {
    timer = undefined
    while (pending.length > 0) {
      const batch = pending.slice(0, CACHE_GOSSIP_MAX_DIGESTS)
      pending = pending.slice(batch.length)
      const body: DigestMessage = { v: 1, d: batch }
      pubsub?.publish(CACHE_TOPIC, encoder.encode(JSON.stringify(body))).catch(err => {
        // no subscribed peer yet is the common case on a fresh cluster: their misses ask everyone
        log('digest gossip not sent - %e', err)
      })
    }
  }

  pubsub?.subscribe(CACHE_TOPIC)
  pubsub?.addEventListener('message', onMessage)

  return {
    announce: (digest, expires) => {
      if (pubsub == null) return
      announced++
      pending.push([digest, expires])
      timer ??= setTimeout(flush, CACHE_GOSSIP_DELAY_MS)
    },
    get announced () { return announced },
    stop: () => {
      clearTimeout(timer)
      pending = []
      pubsub?.removeEventListener('message', onMessage)
      try {
        pubsub?.unsubscribe(CACHE_TOPIC)
      } catch {
        // already stopped with libp2p
      }
    }
  }
}
