/**
 * Telling the cluster which models (or datasets: the kind's topic and keys) this node holds, two ways:
 * - a Kademlia provider record under a key derived from the name and one
 *   from name@revision (kad-dht re-provides its own records before they expire);
 * - a signed gossipsub message on TOPIC, repeated about every
 *   MODELS_ANNOUNCE_INTERVAL_MS (± MODELS_ANNOUNCE_JITTER / 2), that other
 *   nodes keep in their provider index.
 * A gossip message is only believed for its signer: a peer announces itself.
 *
 * Suppression: a periodic announcement leaves out each name@revision of which
 * this node heard MODELS_ANNOUNCE_REDUNDANCY other providers within the last
 * interval. Every announcement reaches every node, so without it each node
 * would receive (nodes holding a model) × models entries per interval; with it
 * about MODELS_ANNOUNCE_REDUNDANCY per model, whatever the fleet's size. The
 * holders not announced are still found by asking peers and through the DHT.
 */
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { MODELS_ANNOUNCE_INTERVAL_MS, MODELS_ANNOUNCE_JITTER, MODELS_ANNOUNCE_REDUNDANCY, MODELS_INDEX_MAX_PER_PEER, MODELS_JOIN_ANNOUNCE_DELAY_MS, MODELS_JOIN_ANNOUNCE_MIN_MS } from '../constants.ts'
import { MODEL_KIND } from './kinds.ts'
import { assertModelName, assertRevision, modelRef } from './names.ts'
import { boundedAddresses } from './protocol.ts'
import type { ProviderIndex } from './provider-index.ts'
import type { NamedKind } from './kinds.ts'
import type { LocalRecord as LocalModel } from './types.ts'
import type { Libp2p } from '@libp2p/interface'

const log = logger('ipfs-kit:models:announce')
const RAW = 0x55
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The DHT key of a model name (any revision); of a dataset name with DATASET_KIND. */
export async function nameKey (name: string, kind: NamedKind = MODEL_KIND): Promise<CID> {
  return CID.createV1(RAW, await sha256.digest(encoder.encode(`${kind.dhtPrefix}${name}`)))
}

/** The DHT key of one revision of a model (or of another kind). */
export async function revisionKey (name: string, revision: string, kind: NamedKind = MODEL_KIND): Promise<CID> {
  return CID.createV1(RAW, await sha256.digest(encoder.encode(`${kind.dhtPrefix}${modelRef(name, revision)}`)))
}

interface Announcement {
  v: 1
  peerId: string
  addresses: string[]
  models: Array<{ name: string, revision: string, root: string }>
}

export interface PubSub {
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data?: Uint8Array): Promise<unknown>
  addEventListener(type: 'message', listener: (evt: CustomEvent<any>) => void): void
  removeEventListener(type: 'message', listener: (evt: CustomEvent<any>) => void): void
}

export interface AnnouncerInit {
  /** Mean time between periodic announcements. @default MODELS_ANNOUNCE_INTERVAL_MS */
  intervalMs?: number
  /** Other providers heard within an interval that make this node leave a name out. @default MODELS_ANNOUNCE_REDUNDANCY */
  redundancy?: number
}

export interface Announcer {
  /** Provide the DHT keys of a model and gossip the current list. */
  announce(model: LocalModel): Promise<void>
  /** At start: provide the DHT keys of everything held and gossip the list once. */
  announceAll(models: LocalModel[]): Promise<void>
  stop(): void
}

export function startAnnouncer (libp2p: Libp2p, providers: ProviderIndex, list: () => Promise<LocalModel[]>, kind: NamedKind = MODEL_KIND, init: AnnouncerInit = {}): Announcer {
  const TOPIC = kind.topic
  const intervalMs = init.intervalMs ?? MODELS_ANNOUNCE_INTERVAL_MS
  const redundancy = init.redundancy ?? MODELS_ANNOUNCE_REDUNDANCY
  const pubsub = (libp2p.services as { pubsub?: PubSub }).pubsub
  const self = libp2p.peerId.toString()

  const onMessage = (evt: CustomEvent<any>): void => {
    const message = evt.detail
    if (message?.topic !== TOPIC || message.type !== 'signed') return
    try {
      const body = JSON.parse(decoder.decode(message.data)) as Announcement
      const signer = message.from.toString()
      if (body.v !== 1 || body.peerId !== signer || signer === self || !Array.isArray(body.models)) return
      // the provider index keeps at most MODELS_INDEX_MAX_PER_PEER of them: read no further
      for (const model of body.models.slice(0, MODELS_INDEX_MAX_PER_PEER)) {
        assertModelName(model.name)
        assertRevision(model.revision)
        CID.parse(model.root)
        providers.add(model.name, { peerId: signer, addresses: boundedAddresses(body.addresses), root: model.root, revision: model.revision, via: 'gossip' })
      }
    } catch (err) {
      log('ignoring a malformed announcement - %e', err)
    }
  }

  /** Announce what we hold, less what enough others announced lately; `always` (just published or pulled) is never left out. */
  const gossip = async (always?: LocalModel): Promise<void> => {
    if (pubsub == null) return
    const since = Date.now() - intervalMs
    const models = (await list())
      .filter(m => (m.name === always?.name && m.revision === always.revision) || providers.heardSince(m.name, m.revision, since) < redundancy)
      .map(({ name, revision, root }) => ({ name, revision, root }))
    if (models.length === 0) return
    const body: Announcement = { v: 1, peerId: self, addresses: libp2p.getMultiaddrs().map(ma => ma.toString()), models }
    await pubsub.publish(TOPIC, encoder.encode(JSON.stringify(body)))
  }

  pubsub?.subscribe(TOPIC)
  pubsub?.addEventListener('message', onMessage)
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const schedule = (): void => {
    if (stopped) return
    timer = setTimeout(() => {
      gossip().catch(err => { log('gossip failed - %e', err) }).finally(schedule)
    }, intervalMs * (1 - MODELS_ANNOUNCE_JITTER / 2 + Math.random() * MODELS_ANNOUNCE_JITTER))
    timer.unref()
  }
  schedule()
  // A peer whose discovery starts while it is already connected to us hears our models soon instead of
  // at the next interval: it was identified before it spoke the kind's protocol, so the `index`
  // exchange at identify did not happen, and it believes no one's word about a third peer. Such a
  // peer is one identified without the protocol (or connected before we started) that then
  // subscribes to the topic. A peer that subscribes on a connection opened while both run discovery
  // is told everything by that exchange, so it gets nothing here: in a running fleet every DHT walk
  // opens such connections, and announcing for each made gossip grow with the fleet
  // (benchmarks/discovery-scale.ts, docs/DESIGN.md). Joins are coalesced: at most one announcement
  // per MODELS_JOIN_ANNOUNCE_MIN_MS, after a random delay of up to MODELS_JOIN_ANNOUNCE_DELAY_MS.
  const notYet = new Set<string>()
  const protocol = kind.protocol
  const onIdentify = (evt: CustomEvent<{ peerId: { toString(): string }, protocols: string[] }>): void => {
    // an identify push that adds the protocol does not count: that peer still has to hear from us
    if (!evt.detail.protocols.includes(protocol)) notYet.add(evt.detail.peerId.toString())
  }
  const onDisconnect = (evt: CustomEvent<{ toString(): string }>): void => { notYet.delete(evt.detail.toString()) }
  libp2p.addEventListener('peer:identify', onIdentify)
  libp2p.addEventListener('peer:disconnect', onDisconnect)
  void Promise.all(libp2p.getPeers().map(async peer => {
    const protocols = await libp2p.peerStore.get(peer).then(p => p.protocols, (): string[] => [])
    if (!protocols.includes(protocol)) notYet.add(peer.toString())
  })).catch(() => {})
  let joinTimer: NodeJS.Timeout | undefined
  let lastJoinGossip = 0
  const onSubscriptionChange = (evt: CustomEvent<any>): void => {
    const subscriptions: Array<{ topic: string, subscribe: boolean }> = evt.detail?.subscriptions ?? []
    if (stopped || !subscriptions.some(s => s.topic === TOPIC && s.subscribe)) return
    const peer = String(evt.detail?.peerId)
    if (!notYet.delete(peer) || joinTimer != null) return
    const wait = Math.max(0, lastJoinGossip + MODELS_JOIN_ANNOUNCE_MIN_MS - Date.now()) + Math.random() * MODELS_JOIN_ANNOUNCE_DELAY_MS
    joinTimer = setTimeout(() => {
      joinTimer = undefined
      lastJoinGossip = Date.now()
      gossip().catch(err => { log('gossip failed - %e', err) })
    }, wait)
    joinTimer.unref()
  }
  ;(pubsub as any)?.addEventListener('subscription-change', onSubscriptionChange)

  // DHT records in the background: with few peers a provide can take a while, and a pull must not wait for it
  const provide = async (model: LocalModel): Promise<void> => {
    for (const key of [await nameKey(model.name, kind), await revisionKey(model.name, model.revision, kind)]) {
      libp2p.contentRouting.provide(key, { signal: AbortSignal.timeout(60_000) }).catch((err: any) => {
        log('could not provide %s - %e', modelRef(model.name, model.revision), err)
      })
    }
  }

  return {
    announce: async (model) => {
      await gossip(model).catch(err => { log('gossip failed - %e', err) })
      await provide(model)
    },
    announceAll: async (models) => {
      // one message for everything held (nothing has been heard yet at start, so nothing is left out)
      if (models.length > 0) await gossip().catch(err => { log('gossip failed - %e', err) })
      for (const model of models) await provide(model)
    },
    stop: () => {
      stopped = true
      clearTimeout(timer)
      clearTimeout(joinTimer)
      pubsub?.removeEventListener('message', onMessage)
      libp2p.removeEventListener('peer:identify', onIdentify)
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
      ;(pubsub as any)?.removeEventListener('subscription-change', onSubscriptionChange)
      try {
        pubsub?.unsubscribe(TOPIC)
      } catch {
        // already stopped with libp2p
      }
    }
  }
}
