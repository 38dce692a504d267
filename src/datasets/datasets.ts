/**
 * `kit.datasets`: publish a directory as a sharded dataset by name, plan
 * which shards each member of a job gets, pull a member's share from every
 * peer that holds it (other workers included), stream its records. Built on
 * the named-content machinery (src/named/) under the dataset kind: signed
 * manifest, discovery by name, candidate choice, the transfer engine, holds
 * and pins. Started after the storage, stopped before it.
 */
import { CID } from 'multiformats/cid'
import { DATASETS_MAX_BYTES, DATASETS_MEMBER_GRACE_MS, DATASETS_PREFETCH } from '../constants.ts'
import { DATASET_KIND, NamedDiscovery, RecordIndex, publishNamed, pullNamed, resolveNamed } from '../named/index.ts'
import { joinGroup } from './group.ts'
import { planRank } from './plan.ts'
import { assertShardSize, isLineBased, parseRank, parseShare } from './share.ts'
import { openStream } from './stream.ts'
import type { Manifest, ManifestFile, NamedPullComponents, NamedRecord } from '../named/index.ts'
import type { DatasetPlan, DatasetProvider, DatasetPublishOptions, DatasetPublishResult, DatasetPullOptions, DatasetPullResult, DatasetStream, FindProvidersOptions, LocalDataset, PlanOptions, StreamOptions } from './types.ts'
import type { BlockSource, FsBlockstore } from '../blocks/index.ts'
import type { Lifecycle } from '../lifecycle.ts'
import type { MetaStore } from '../repo/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { PublisherKey, TrustStore } from '../trust/index.ts'
import type { AbortOptions, Libp2p } from '@libp2p/interface'

const RAW = 0x55

export interface DatasetsComponents {
  storage: IPFSKitStorage
  blockstore: FsBlockstore
  meta: MetaStore
  local: BlockSource
  fetcher?(options: FetcherOptions): BlockSource
  /** Absent offline. */
  libp2p?: Libp2p
  lifecycle?: Lifecycle
  publisher: PublisherKey
  trust: TrustStore
  /** Config `models.allow_unsigned` (one trust policy for every kind). */
  allowUnsigned?: boolean
  /** Config `datasets.*`. */
  settings?: { prefetch?: number, maxBytes?: number, memberGraceMs?: number }
}

export class Datasets {
  private readonly index: RecordIndex
  private readonly discovery: NamedDiscovery

  constructor (private readonly c: DatasetsComponents) {
    this.index = new RecordIndex(c.meta, DATASET_KIND.indexPrefix)
    this.discovery = new NamedDiscovery({ kind: DATASET_KIND, libp2p: c.libp2p, fetcher: c.fetcher, list: async () => await this.index.list(), trust: c.trust, allowUnsigned: c.allowUnsigned })
  }

  async start (): Promise<void> {
    await this.discovery.start()
  }

  async stop (): Promise<void> {
    await this.discovery.stop()
  }

  /**
   * Publish every file of `dir` as dataset `name`: each file a shard, or with `shardSize` large
   * line-based files split at line boundaries. Files unchanged since the last publish are not imported again.
   *
   * @example
   * await kit.datasets.publish('./corpus', { name: 'acme/corpus', shardSize: 64 * 1024 * 1024 })
   */
  async publish (dir: string, options: DatasetPublishOptions): Promise<DatasetPublishResult> {
    this.c.lifecycle?.assertRunning('datasets.publish')
    assertShardSize(options.shardSize)
    const published = await publishNamed({ kind: DATASET_KIND, storage: this.c.storage, blockstore: this.c.blockstore, index: this.index, publisher: this.c.publisher }, dir, {
      name: options.name, revision: options.revision, shardSize: options.shardSize, lineBased: isLineBased, signal: options.signal, onProgress: options.onProgress
    })
    await this.discovery.announce({ name: published.name, revision: published.revision, root: published.root, created: Date.now(), origin: 'published' })
    return { name: published.name, revision: published.revision, root: published.root, shards: published.files, bytes: published.bytes, storedFiles: published.storedFiles, reusedFiles: published.reusedFiles }
  }

  /** Datasets this node holds: published here, or shares pulled (with the shards held). */
  async list (): Promise<LocalDataset[]> {
    this.c.lifecycle?.assertRunning('datasets.list')
    return (await this.index.records()).map(({ files: _f, publisher: _p, ...record }) => record)
  }

  /** Providers of a dataset as they are found (gossip, connected peers, the DHT). */
  async * findProvidersStream (name: string, options: FindProvidersOptions = {}): AsyncGenerator<DatasetProvider> {
    this.c.lifecycle?.assertRunning('datasets.findProvidersStream')
    yield * this.discovery.findProvidersStream(name, options)
  }

  /** Every provider found within `timeoutMs`, each with what its root's record says (publisher, trusted, error). */
  async findProviders (name: string, options: FindProvidersOptions = {}): Promise<DatasetProvider[]> {
    this.c.lifecycle?.assertRunning('datasets.findProviders')
    return await this.discovery.findProviders(name, options)
  }

  /**
   * The shards of `rank` among `world`: a pure function of the manifest (every process computes
   * the same), disjoint across ranks, complete together, balanced by bytes, stable when world changes by one.
   */
  async plan (name: string, options: PlanOptions): Promise<DatasetPlan> {
    this.c.lifecycle?.assertRunning('datasets.plan')
    const { rank, world } = parseRank(options.rank, options.world)
    const { root, revision, manifest } = await this.resolve(name, options)
    const shards = planRank(manifest.files, rank, world).map(toPlanned)
    return { name, revision, root: root.toString(), rank, world, shards, bytes: shards.reduce((n, s) => n + s.size, 0) }
  }

  /**
   * Fetch a member's share (rank/world, or an elastic group's live plan) from every peer that holds
   * it, verified, into this node (and `dest`); pin it; announce it, so other workers fetch from here too.
   */
  async pull (name: string, options: DatasetPullOptions): Promise<DatasetPullResult> {
    this.c.lifecycle?.assertRunning('datasets.pull')
    const share = parseShare(options)
    if (share.mode === 'group') {
      return await joinGroup({
        libp2p: this.c.libp2p,
        resolve: async o => await this.resolve(name, { ...options, ...o }),
        pullShards: async (select, o) => await this.pullSelected(name, { ...options, ...o }, select)
      }, name, share.group, { ...options, memberGraceMs: options.memberGraceMs ?? this.c.settings?.memberGraceMs ?? DATASETS_MEMBER_GRACE_MS })
    }
    return await this.pullSelected(name, options, manifest => planRank(manifest.files, share.rank, share.world))
  }

  /**
   * Records of a rank's share (whole shards for files that are not line-based), shards in an order
   * shuffled per epoch from `seed`, the next `prefetch` shards fetched while the consumer works;
   * `state()` resumes exactly there.
   */
  stream (name: string, options: StreamOptions): DatasetStream {
    this.c.lifecycle?.assertRunning('datasets.stream')
    parseRank(options.rank, options.world)
    return openStream({
      storage: this.c.storage,
      local: this.c.local,
      fetcher: this.c.fetcher,
      resolve: async o => await this.resolve(name, { ...options, ...o })
    }, name, { ...options, prefetch: options.prefetch ?? this.c.settings?.prefetch ?? DATASETS_PREFETCH, maxBytes: options.maxBytes ?? this.c.settings?.maxBytes ?? DATASETS_MAX_BYTES })
  }

  private components (): NamedPullComponents {
    return {
      kind: DATASET_KIND,
      storage: this.c.storage,
      local: this.c.local,
      fetcher: this.c.fetcher,
      index: this.index,
      find: (n, o) => this.discovery.findProvidersStream(n, o),
      dial: async provider => { await this.discovery.dial(provider) },
      announce: async record => { await this.discovery.announce(record) },
      trust: this.c.trust,
      allowUnsigned: this.c.allowUnsigned ?? false
    }
  }

  private async resolve (name: string, options: AbortOptions & { revision?: string, findTimeoutMs?: number, manifestTimeoutMs?: number }): Promise<{ root: CID, revision: string, manifest: Manifest }> {
    const hold = this.c.storage.hold()
    try {
      return await resolveNamed(this.components(), name, options, hold)
    } finally {
      hold.release()
    }
  }

  /** Pull the shards `select` picks of the manifest; pin each (and the manifest block alone); record them as held here. */
  private async pullSelected (name: string, options: DatasetPullOptions, select: (manifest: Manifest) => ManifestFile[]): Promise<DatasetPullResult> {
    const storage = this.c.storage
    const pulled = await pullNamed(this.components(), name, options, {
      select,
      pin: async (root, files, o) => {
        for (const file of files) if (!await storage.pin(file.cid.toString(), { signal: o.signal, origin: 'dataset' })) return false
        // the manifest block alone (raw codec, same multihash, so no links followed): a share holder serves it
        return await storage.pin(CID.createV1(RAW, root.multihash).toString(), { signal: o.signal, origin: 'dataset' })
      },
      record: (record, previous, files): NamedRecord => {
        const same = previous?.root === record.root
        const held = same && previous?.origin === 'published' ? undefined : [...new Set([...(same ? previous?.shards ?? [] : []), ...files.map(f => f.path)])].sort()
        return { ...(same ? previous : {}), ...record, ...(held != null ? { shards: held } : {}) }
      }
    })
    return {
      name,
      revision: pulled.revision,
      root: pulled.root.toString(),
      shards: pulled.files.map(f => f.path),
      bytes: pulled.bytes,
      fetchedBytes: pulled.fetchedBytes,
      providers: pulled.providers,
      dest: options.dest
    }
  }
}

function toPlanned (file: ManifestFile): DatasetPlan['shards'][number] {
  return { path: file.path, size: file.size, cid: file.cid.toString(), sha256: file.sha256, ...(file.records != null ? { records: file.records } : {}) }
}
