/**
 * Finding who holds named content (a model, a dataset) and telling others
 * what this node holds: the kind's protocol (`resolve`, `index`), its gossip
 * announcements, the provider index they feed, and DHT provider records. One
 * instance per kind; `kit.models` and `kit.datasets` each compose one.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import merge from 'it-merge'
import { CID } from 'multiformats/cid'
import { MODEL_DHT_WALKS, MODEL_FIND_TIMEOUT_MS, MODEL_MANIFEST_TIMEOUT_MS, MODELS_ANNOUNCE_INTERVAL_MS, MODELS_ANNOUNCE_JITTER, MODELS_ANNOUNCE_TTL_MS, MODELS_MAX_REFERRALS, MODELS_REFERRAL_DIAL_CONCURRENCY, MODELS_REQUEST_TIMEOUT_MS } from '../constants.ts'
import { OfflineError } from '../errors.ts'
import { nameKey, revisionKey, startAnnouncer } from './announcer.ts'
import { describeCandidates } from './candidates.ts'
import { assertModelName, assertRevision } from './names.ts'
import { askIndex, askResolve, handleModelsProtocol } from './protocol.ts'
import { ProviderIndex } from './provider-index.ts'
import type { ProviderIndexInit } from './provider-index.ts'
import type { Announcer, AnnouncerInit } from './announcer.ts'
import type { NamedKind } from './kinds.ts'
import type { IndexEntry } from './protocol.ts'
import type { FindProvidersOptions, LocalRecord, NamedProvider as ModelProvider, ProviderSource } from './types.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { TrustStore } from '../trust/index.ts'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'

export interface NamedDiscoveryComponents {
  kind: NamedKind
  /** Absent offline. */
  libp2p?: Libp2p
  fetcher?(options: FetcherOptions): BlockSource
  /** What this node holds of the kind (answers `resolve`/`index`, fills gossip). */
  list(): Promise<LocalRecord[]>
  trust: TrustStore
  allowUnsigned?: boolean
  /** Announce interval and suppression; a shorter interval also shortens the index TTL (3 intervals). @default the MODELS_ANNOUNCE_* constants */
  announce?: AnnouncerInit
  /** Provider index bounds. @default the MODELS_INDEX_* constants */
  index?: ProviderIndexInit
}

const ALL_SOURCES: ProviderSource[] = ['gossip', 'peers', 'dht']

export class NamedDiscovery {
  private readonly log: Logger
  private readonly providers: ProviderIndex
  private announcer: Announcer | undefined
  private referralDials = 0
  /** Peers are asked for their index until then (see learnFrom). */
  private learnUntil = 0
  /** Peers asked for their index on their current connection (identify pushes repeat the event). */
  private readonly asked = new Set<string>()
  private readonly onIdentify = (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>): void => {
    if (!evt.detail.protocols.includes(this.kind.protocol)) return
    if (Date.now() > this.learnUntil) {
      this.asked.clear()
      return
    }
    const peer = evt.detail.peerId.toString()
    if (this.asked.has(peer)) return
    this.asked.add(peer)
    void this.learnFrom(evt.detail.peerId)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.asked.delete(evt.detail.toString())
  }

  constructor (private readonly c: NamedDiscoveryComponents) {
    this.log = logger(`ipfs-kit:${c.kind.events}`)
    this.providers = new ProviderIndex(c.announce?.intervalMs != null ? 3 * c.announce.intervalMs : MODELS_ANNOUNCE_TTL_MS, c.index)
  }

  /** Entries in the provider index now (what gossip and peers told this node). */
  get indexedProviders (): number {
    return this.providers.size
  }

  private get kind (): NamedKind {
    return this.c.kind
  }

  async start (): Promise<void> {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    await handleModelsProtocol(libp2p, this.c.list, () => this.providers.all().map(({ name, peerId, addresses, revision, root }) => ({ name, peerId, addresses, revision, root })), this.kind.protocol)
    this.announcer = startAnnouncer(libp2p, this.providers, this.c.list, this.kind, this.c.announce)
    this.learnUntil = Date.now() + (this.c.announce?.intervalMs ?? MODELS_ANNOUNCE_INTERVAL_MS) * (1 + MODELS_ANNOUNCE_JITTER / 2)
    libp2p.addEventListener('peer:identify', this.onIdentify)
    libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    // what is held from an earlier run: tell the cluster again
    await this.announcer.announceAll(await this.c.list())
  }

  async stop (): Promise<void> {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    libp2p.removeEventListener('peer:identify', this.onIdentify)
    libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.announcer?.stop()
    await libp2p.unhandle(this.kind.protocol).catch(() => {})
  }

  /** Provide the DHT keys of a record and gossip the current list (nothing offline). */
  async announce (record: LocalRecord): Promise<void> {
    await this.announcer?.announce(record)
  }

  /**
   * Providers of a name as they are found: gossip-learned entries first,
   * then connected peers asked directly, then the DHT.
   *
   * @throws OfflineError offline
   */
  async * findProvidersStream (name: string, options: FindProvidersOptions = {}): AsyncGenerator<ModelProvider> {
        assertModelName(name)
    if (options.revision != null) assertRevision(options.revision)
    const libp2p = this.c.libp2p
    if (libp2p == null) throw new OfflineError('findProviders')
    const sources = options.sources ?? ALL_SOURCES
    const self = libp2p.peerId.toString()
    const seen = new Set<string>()
    const fresh = (p: ModelProvider): boolean => {
      if (p.peerId === self || seen.has(p.peerId)) return false
      seen.add(p.peerId)
      return true
    }
    if (sources.includes('gossip')) {
      for (const provider of this.providers.get(name, options.revision)) if (fresh(provider)) yield provider
    }
    // the network part ends at timeoutMs (or the caller's signal), quietly: what was found is the answer
    const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? MODEL_FIND_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
    const bounded = { ...options, signal }
    const streams: Array<AsyncIterable<ModelProvider>> = []
    if (sources.includes('peers')) streams.push(this.askConnected(libp2p, name, bounded))
    if (sources.includes('dht')) streams.push(this.askDht(libp2p, name, bounded))
    try {
      for await (const provider of merge(...streams)) {
        if (fresh(provider)) yield provider
        if (signal.aborted) break
      }
    } catch (err) {
      if (!signal.aborted) throw err
    }
    options.signal?.throwIfAborted()
  }

  /**
   * Every provider found within `timeoutMs` (the DHT walk is the slow part), each with what the
   * record at its root says: `publisher` (verified), `created`, `trusted` (would a pull accept
   * it), `yanked`, or `error` when the root was not served or does not verify.
   */
  async findProviders (name: string, options: FindProvidersOptions = {}): Promise<ModelProvider[]> {
    const out: ModelProvider[] = []
    for await (const provider of this.findProvidersStream(name, options)) out.push(provider)
    const fetcher = this.c.fetcher?.({ timeoutMs: MODEL_MANIFEST_TIMEOUT_MS })
    if (fetcher == null) return out
    const described = await describeCandidates({ fetch: async (cid, o) => await fetcher.getBytes(cid, o), trust: this.c.trust, allowUnsigned: this.c.allowUnsigned ?? false, kind: this.kind }, name, out, { signal: options.signal })
    return described.flatMap(candidate => candidate.providers.map(p => ({
      ...p,
      revision: candidate.revision,
      publisher: candidate.publisher,
      created: candidate.created,
      trusted: (candidate as { trusted?: boolean }).trusted ?? false,
      yanked: candidate.record?.kind === 'yank',
      ...(candidate.error != null ? { error: candidate.error } : {})
    })))
  }


  async dial (provider: ModelProvider): Promise<void> {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    const id = peerIdFromString(provider.peerId)
    if (libp2p.getConnections(id).length > 0) return
    const addrs = provider.addresses.map(a => multiaddr(a))
    if (addrs.length > 0) await libp2p.peerStore.merge(id, { multiaddrs: addrs })
    await libp2p.dial(id, { signal: AbortSignal.timeout(10_000) })
  }

  /**
   * Ask a newly connected peer for every provider it knows of (itself and
   * what it heard): a node that joins late learns at once what was announced
   * before it came. What the peer says of itself is kept in the provider
   * index (within its per-peer cap); what it says of others is only a hint
   * whom to ask: up to MODELS_MAX_REFERRALS of those peers holding names we
   * know no provider of are dialled (MODELS_REFERRAL_DIAL_CONCURRENCY at
   * once), and each then speaks for itself when identify brings it here.
   *
   * Only during this node's first announce interval (its longest, with
   * jitter): by then every provider not suppressed has announced once and
   * gossip keeps the index current. Asked on every connection for as long as
   * a node runs, a fleet's DHT walks (each opens connections) made these
   * answers, up to a whole index each, as much traffic as gossip itself
   * (benchmarks/discovery-scale.ts).
   */
  private async learnFrom (peer: PeerId): Promise<void> {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    let entries: IndexEntry[]
    try {
      entries = await askIndex(libp2p, peer, {}, this.kind.protocol)
    } catch (err) {
      this.log('could not learn the model index of %p - %e', peer, err)
      return
    }
    const self = libp2p.peerId.toString()
    const speaker = peer.toString()
    const referrals = new Map<string, IndexEntry>()
    for (const entry of entries) {
      try {
        assertModelName(entry.name)
        assertRevision(entry.revision)
        CID.parse(entry.root)
      } catch {
        continue
      }
      if (entry.peerId === speaker) {
        this.providers.add(entry.name, { peerId: speaker, addresses: entry.addresses, root: entry.root, revision: entry.revision, via: 'peers' })
      } else if (entry.peerId !== self && referrals.size < MODELS_MAX_REFERRALS && !referrals.has(entry.peerId) && !this.providers.has(entry.name)) {
        referrals.set(entry.peerId, entry)
      }
    }
    for (const referral of referrals.values()) this.followReferral(libp2p, referral)
  }

  /** Dial a peer another peer named, unless connected or MODELS_REFERRAL_DIAL_CONCURRENCY dials are already out. */
  private followReferral (libp2p: Libp2p, referral: IndexEntry): void {
    if (this.referralDials >= MODELS_REFERRAL_DIAL_CONCURRENCY) return
    let id: PeerId
    try {
      id = peerIdFromString(referral.peerId)
    } catch {
      return
    }
    if (libp2p.getConnections(id).length > 0) return
    this.referralDials++
    void (async () => {
      const addrs = referral.addresses.flatMap(a => { try { return [multiaddr(a)] } catch { return [] } })
      if (addrs.length > 0) await libp2p.peerStore.merge(id, { multiaddrs: addrs })
      await libp2p.dial(id, { signal: AbortSignal.timeout(MODELS_REQUEST_TIMEOUT_MS) })
    })().catch((err: any) => {
      this.log('could not follow a referral to %s - %e', referral.peerId, err)
    }).finally(() => { this.referralDials-- })
  }

  private async * askConnected (libp2p: Libp2p, name: string, options: FindProvidersOptions): AsyncGenerator<ModelProvider> {
    // every connected peer, identified or not yet: one without the protocol refuses the stream at once
    yield * merge(...libp2p.getPeers().map(peer => this.resolveAt(libp2p, peer, name, options, 'peers')))
  }

  /**
   * Walk the DHT for the name's key, resolving each provider at the provider.
   * A walk that names nobody is made once more while time remains: a node
   * that has just started walks from a routing table holding little more
   * than its bootstrap peer (kad-dht pings the peers its first self-query
   * found before adding them), and in a small cluster such a single path can
   * end among departed peers, which stay in routing tables until a bucket
   * fills, without meeting a holder of the record. The second walk starts
   * from everything the first one met.
   */
  private async * askDht (libp2p: Libp2p, name: string, options: FindProvidersOptions): AsyncGenerator<ModelProvider> {
    const key = options.revision != null ? await revisionKey(name, options.revision, this.kind) : await nameKey(name, this.kind)
    for (let walk = 1; walk <= MODEL_DHT_WALKS; walk++) {
      let named = 0
      try {
        for await (const found of libp2p.contentRouting.findProviders(key, { signal: options.signal })) {
          if (found.id.equals(libp2p.peerId)) continue
          named++
          if (found.multiaddrs.length > 0) await libp2p.peerStore.merge(found.id, { multiaddrs: found.multiaddrs })
          // resolve each provider as it comes: the first answer should not wait for the whole walk
          const answers: ModelProvider[] = []
          for await (const p of this.resolveAt(libp2p, found.id, name, options, 'dht')) answers.push(p)
          yield * answers
        }
      } catch (err: any) {
        if (options.signal?.aborted === true) return
        this.log('DHT lookup of %s failed - %e', name, err)
      }
      if (named > 0 || options.signal?.aborted === true) return
      this.log('DHT walk %d for %s named no provider', walk, name)
    }
  }

  /**
   * Ask `peer` which manifest it holds for `name`; follow its referrals (peers
   * it heard hold it) one hop, asking each of them directly, since a name →
   * root binding is only taken from the provider itself.
   */
  private async * resolveAt (libp2p: Libp2p, peer: PeerId, name: string, options: FindProvidersOptions, via: ProviderSource, followReferrals = true): AsyncGenerator<ModelProvider> {
    let answer
    try {
      answer = await askResolve(libp2p, peer, name, options.revision, options, this.kind.protocol)
    } catch (err) {
      this.log('could not resolve %s at %p - %e', name, peer, err)
      return
    }
    const addresses = libp2p.getConnections(peer).map(c => c.remoteAddr.toString())
    for (const m of answer.models) {
      const provider = { peerId: peer.toString(), addresses, root: m.root, revision: m.revision, via }
      this.providers.add(m.name, provider)
      yield provider
    }
    if (!followReferrals) return
    const self = libp2p.peerId.toString()
    // hints, each checked with the peer itself; a peer naming thousands gets MODELS_MAX_REFERRALS of them followed
    const referred = [...new Map(answer.referrals.filter(r => r.peerId !== self && r.peerId !== peer.toString()).map(r => [r.peerId, r])).values()].slice(0, MODELS_MAX_REFERRALS)
    yield * merge(...referred.map(async function * (this: NamedDiscovery, r: IndexEntry) {
      try {
        const id = peerIdFromString(r.peerId)
        const addrs = r.addresses.map(a => multiaddr(a))
        if (addrs.length > 0) await libp2p.peerStore.merge(id, { multiaddrs: addrs })
        yield * this.resolveAt(libp2p, id, name, options, via, false)
      } catch (err) {
        this.log('could not follow a referral to %s - %e', r.peerId, err)
      }
    }.bind(this)))
  }
}
