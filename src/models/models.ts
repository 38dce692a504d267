/**
 * `kit.models`: publish a model directory, find who holds a model by name,
 * pull it from them. Composes the local model index, the provider index fed
 * by gossip and by asking peers, the `/ipfs-kit/models/1.0.0` protocol, the
 * announcer (DHT + gossip), publish and pull. Started after the storage,
 * stopped before it.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import merge from 'it-merge'
import { CID } from 'multiformats/cid'
import { MODEL_DHT_WALKS, MODEL_FIND_TIMEOUT_MS, MODEL_MANIFEST_TIMEOUT_MS, MODELS_ANNOUNCE_TTL_MS, MODELS_MAX_REFERRALS, MODELS_PROTOCOL, MODELS_REFERRAL_DIAL_CONCURRENCY, MODELS_REQUEST_TIMEOUT_MS } from '../constants.ts'
import { OfflineError } from '../errors.ts'
import { nameKey, revisionKey, startAnnouncer } from './announcer.ts'
import { ModelIndex } from './model-index.ts'
import { describeCandidates } from './candidates.ts'
import { encodeYank } from './manifest.ts'
import { assertModelName, assertOrg, assertRevision, DEFAULT_REVISION } from './names.ts'
import { parsePublisherId } from '../trust/index.ts'
import { askIndex, askResolve, handleModelsProtocol } from './protocol.ts'
import type { IndexEntry } from './protocol.ts'
import { ProviderIndex } from './provider-index.ts'
import { publishModel } from './publish.ts'
import { pullModel } from './pull.ts'
import type { Announcer } from './announcer.ts'
import type { FindProvidersOptions, LocalModel, ModelProvider, ProviderSource, PublishOptions, PublishResult, PullOptions, PullResult, YankOptions, YankResult } from './types.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { MetaStore } from '../repo/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { Lifecycle } from '../lifecycle.ts'
import type { PublisherKey, TrustStore } from '../trust/index.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

const log = logger('ipfs-kit:models')

export interface ModelsComponents {
  storage: IPFSKitStorage
  blockstore: FsBlockstore
  meta: MetaStore
  local: BlockSource
  fetcher?(options: FetcherOptions): BlockSource
  /** Absent offline. */
  libp2p?: Libp2p
  env?: NodeJS.ProcessEnv
  /** The kit's life: every call after stop() raises KitStoppedError. @default always running */
  lifecycle?: Lifecycle
  /** This data directory's publisher key: signs what `publish` and `yank` bind. */
  publisher: PublisherKey
  /** Who may publish for which org. */
  trust: TrustStore
  /** Config `models.allow_unsigned`. @default false */
  allowUnsigned?: boolean
  /** Called with a pulled model's manifest root (access statistics, src/seeding). */
  onRead?(root: string): void
}

const ALL_SOURCES: ProviderSource[] = ['gossip', 'peers', 'dht']

export class Models {
  private readonly index: ModelIndex
  private readonly providers = new ProviderIndex(MODELS_ANNOUNCE_TTL_MS)
  private announcer: Announcer | undefined
  private referralDials = 0
  private readonly onIdentify = (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>): void => {
    if (!evt.detail.protocols.includes(MODELS_PROTOCOL)) return
    void this.learnFrom(evt.detail.peerId)
  }

  constructor (private readonly c: ModelsComponents) {
    this.index = new ModelIndex(c.meta)
  }

  async start (): Promise<void> {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    await handleModelsProtocol(libp2p, async () => await this.index.list(), () => this.providers.all().map(({ name, peerId, addresses, revision, root }) => ({ name, peerId, addresses, revision, root })))
    this.announcer = startAnnouncer(libp2p, this.providers, async () => await this.index.list())
    libp2p.addEventListener('peer:identify', this.onIdentify)
    // models held from an earlier run: tell the cluster again
    for (const model of await this.index.list()) await this.announcer.announce(model)
  }

  async stop (): Promise<void> {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    libp2p.removeEventListener('peer:identify', this.onIdentify)
    this.announcer?.stop()
    await libp2p.unhandle(MODELS_PROTOCOL).catch(() => {})
  }

  /**
   * Publish every file of `dir` as model `name` (`org/name`) at `revision`.
   *
   * @example
   * const { root } = await kit.models.publish('./Llama-3.2-1B', { name: 'meta-llama/Llama-3.2-1B' })
   */
  async publish (dir: string, options: PublishOptions): Promise<PublishResult> {
    this.c.lifecycle?.assertRunning('models.publish')
    const { manifestFiles: _files, ...result } = await publishModel({ storage: this.c.storage, blockstore: this.c.blockstore, index: this.index, publisher: this.c.publisher }, dir, options)
    await this.announcer?.announce({ name: result.name, revision: result.revision, root: result.root, created: Date.now(), origin: 'published' })
    return result
  }

  /** Models this node holds (published or pulled). */
  async list (): Promise<LocalModel[]> {
    this.c.lifecycle?.assertRunning('models.list')
    return await this.index.list()
  }

  /**
   * Providers of a model as they are found: gossip-learned entries first,
   * then connected peers asked directly, then the DHT.
   *
   * @throws OfflineError offline
   */
  async * findProvidersStream (name: string, options: FindProvidersOptions = {}): AsyncGenerator<ModelProvider> {
    this.c.lifecycle?.assertRunning('models.findProvidersStream')
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
    this.c.lifecycle?.assertRunning('models.findProviders')
    const out: ModelProvider[] = []
    for await (const provider of this.findProvidersStream(name, options)) out.push(provider)
    const fetcher = this.c.fetcher?.({ timeoutMs: MODEL_MANIFEST_TIMEOUT_MS })
    if (fetcher == null) return out
    const described = await describeCandidates({ fetch: async (cid, o) => await fetcher.getBytes(cid, o), trust: this.c.trust, allowUnsigned: this.c.allowUnsigned ?? false }, name, out, { signal: options.signal })
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

  /** This data directory's publisher id (did:key): what others put in `trusted_publishers`. */
  get publisher (): string {
    return this.c.publisher.id
  }

  /**
   * Withdraw `name@revision`: publish a signed tombstone that pullers honour (the revision is not
   * pulled; `findProviders` shows it as yanked). The model's blocks stay until gc.
   */
  async yank (name: string, options: YankOptions = {}): Promise<YankResult> {
    this.c.lifecycle?.assertRunning('models.yank')
    assertModelName(name)
    const revision = options.revision ?? DEFAULT_REVISION
    assertRevision(revision)
    const { cid, bytes } = await encodeYank(this.c.publisher, name, revision)
    await this.c.storage.putBlock(cid, bytes, { pin: true, origin: 'model', signal: options.signal })
    const previous = await this.index.get(name, revision)
    const model: LocalModel = { name, revision, root: cid.toString(), created: Date.now(), origin: 'yanked' }
    await this.index.put({ ...model, publisher: this.c.publisher.id })
    if (previous != null && previous.root !== model.root) await this.c.storage.unpin(previous.root, { origin: 'model' })
    await this.announcer?.announce(model)
    return { name, revision, root: cid.toString(), publisher: this.c.publisher.id }
  }

  /** Trust `publisher` for `org` (recorded in the data directory). Returns the org's recorded publishers. */
  async trust (org: string, publisher: string): Promise<string[]> {
    this.c.lifecycle?.assertRunning('models.trust')
    assertOrg(org)
    parsePublisherId(publisher)
    return await this.c.trust.trust(org, publisher)
  }

  /** Stop trusting `publisher` for `org`. An org left with no publisher is trust-on-first-use again. */
  async untrust (org: string, publisher: string): Promise<string[]> {
    this.c.lifecycle?.assertRunning('models.untrust')
    assertOrg(org)
    return await this.c.trust.untrust(org, publisher)
  }

  /** Every org's trust: configured (`trusted_publishers`) or recorded (first use, `trust`). */
  async trusted (): Promise<Array<{ org: string, publishers: string[], source: 'configured' | 'recorded' }>> {
    this.c.lifecycle?.assertRunning('models.trusted')
    const out: Array<{ org: string, publishers: string[], source: 'configured' | 'recorded' }> = []
    for await (const record of this.c.trust.records()) out.push({ ...record, source: 'recorded' })
    for (const [org, publishers] of Object.entries(this.c.trust.configured)) out.push({ org, publishers, source: 'configured' })
    return out
  }

  /**
   * Fetch a model from its providers into this node (and `dest`, and the
   * Hugging Face cache with `hfCache`), pin it and announce it.
   */
  async pull (name: string, options: PullOptions = {}): Promise<PullResult> {
    this.c.lifecycle?.assertRunning('models.pull')
    const result = await pullModel({
      storage: this.c.storage,
      local: this.c.local,
      fetcher: this.c.fetcher,
      index: this.index,
      env: this.c.env,
      find: (n, o) => this.findProvidersStream(n, o),
      dial: async provider => { await this.dial(provider) },
      announce: async model => { await this.announcer?.announce(model) },
      trust: this.c.trust,
      allowUnsigned: this.c.allowUnsigned ?? false
    }, name, options)
    this.c.onRead?.(result.root)
    return result
  }

  private async dial (provider: ModelProvider): Promise<void> {
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
   */
  private async learnFrom (peer: PeerId): Promise<void> {
    const libp2p = this.c.libp2p
    if (libp2p == null) return
    let entries: IndexEntry[]
    try {
      entries = await askIndex(libp2p, peer)
    } catch (err) {
      log('could not learn the model index of %p - %e', peer, err)
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
      log('could not follow a referral to %s - %e', referral.peerId, err)
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
    const key = options.revision != null ? await revisionKey(name, options.revision) : await nameKey(name)
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
        log('DHT lookup of %s failed - %e', name, err)
      }
      if (named > 0 || options.signal?.aborted === true) return
      log('DHT walk %d for %s named no provider', walk, name)
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
      answer = await askResolve(libp2p, peer, name, options.revision, options)
    } catch (err) {
      log('could not resolve %s at %p - %e', name, peer, err)
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
    yield * merge(...referred.map(async function * (this: Models, r: IndexEntry) {
      try {
        const id = peerIdFromString(r.peerId)
        const addrs = r.addresses.map(a => multiaddr(a))
        if (addrs.length > 0) await libp2p.peerStore.merge(id, { multiaddrs: addrs })
        yield * this.resolveAt(libp2p, id, name, options, via, false)
      } catch (err) {
        log('could not follow a referral to %s - %e', r.peerId, err)
      }
    }.bind(this)))
  }
}
