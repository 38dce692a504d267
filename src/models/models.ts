/**
 * `kit.models`: publish a model directory, find who holds a model by name,
 * pull it from them. Composes the local model index and the shared
 * named-content machinery (src/named/: discovery over the
 * `/ipfs-kit/models/1.0.0` protocol, gossip and the DHT; candidate choice;
 * verified multi-peer pull; publish) under the model kind. Started after the
 * storage, stopped before it.
 */
import { DEFAULT_REVISION, MODEL_KIND, NamedDiscovery, RecordIndex, assertModelName, assertOrg, assertRevision, encodeYank } from '../named/index.ts'
import { parsePublisherId } from '../trust/index.ts'
import { publishModel } from './publish.ts'
import { pullModel } from './pull.ts'
import type { FindProvidersOptions, LocalModel, ModelProvider, PublishOptions, PublishResult, PullOptions, PullResult, YankOptions, YankResult } from './types.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { MetaStore } from '../repo/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { Lifecycle } from '../lifecycle.ts'
import type { PublisherKey, TrustStore } from '../trust/index.ts'
import type { Libp2p } from '@libp2p/interface'

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

export class Models {
  private readonly index: RecordIndex
  private readonly discovery: NamedDiscovery

  constructor (private readonly c: ModelsComponents) {
    this.index = new RecordIndex(c.meta, MODEL_KIND.indexPrefix)
    this.discovery = new NamedDiscovery({ kind: MODEL_KIND, libp2p: c.libp2p, fetcher: c.fetcher, list: async () => await this.index.list(), trust: c.trust, allowUnsigned: c.allowUnsigned })
  }

  async start (): Promise<void> {
    await this.discovery.start()
  }

  async stop (): Promise<void> {
    await this.discovery.stop()
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
    await this.discovery.announce({ name: result.name, revision: result.revision, root: result.root, created: Date.now(), origin: 'published' })
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
    yield * this.discovery.findProvidersStream(name, options)
  }

  /**
   * Every provider found within `timeoutMs` (the DHT walk is the slow part), each with what the
   * record at its root says: `publisher` (verified), `created`, `trusted` (would a pull accept
   * it), `yanked`, or `error` when the root was not served or does not verify.
   */
  async findProviders (name: string, options: FindProvidersOptions = {}): Promise<ModelProvider[]> {
    this.c.lifecycle?.assertRunning('models.findProviders')
    return await this.discovery.findProviders(name, options)
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
    await this.discovery.announce(model)
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
      find: (n, o) => this.discovery.findProvidersStream(n, o),
      dial: async provider => { await this.discovery.dial(provider) },
      announce: async model => { await this.discovery.announce(model) },
      trust: this.c.trust,
      allowUnsigned: this.c.allowUnsigned ?? false
    }, name, options)
    this.c.onRead?.(result.root)
    return result
  }
}
