/**
 * `createKit()`: one embedded node — config, data directory, Helia (with
 * libp2p unless offline), pins and the storage API — started in order and
 * stopped in reverse.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { CustomProgressEvent } from 'progress-events'
import { envDisablesNetwork, loadConfig, resolveDataDir } from './config/index.ts'
import { AUTO_TIER_INTERVAL_MS, DEFAULT_FETCH_TIMEOUT_MS, SEEDING_PROVIDE_TIMEOUT_MS } from './constants.ts'
import { OfflineError } from './errors.ts'
import { Lifecycle, startAll } from './lifecycle.ts'
import { KitMetrics, MeteredStorage, PullTracker, TrackedDatasets, TrackedModels, collectMetrics, libp2pMetrics, meteredBlockSource, nodeStatus } from './metrics/index.ts'
import { createNode, tuneHeap } from './node/index.ts'
import { Models } from './models/index.ts'
import { Datasets } from './datasets/index.ts'
import { Cache } from './cache/index.ts'
import { Seeding, registerSeedingMetrics } from './seeding/index.ts'
import { heldSource, Holds, Mutex, PinIndex, RwLock, startAutoGc } from './pins/index.ts'
import { openRepo } from './repo/index.ts'
import { loadOrCreatePublisherKey, TrustStore } from './trust/index.ts'
import type { PublisherKey } from './trust/index.ts'
import { FileIndex, openTiers } from './storage/index.ts'
import type { OpenedTiers } from './storage/index.ts'
import { localBlockSource, parseCid } from './blocks/index.ts'
import { Downlink, HaveAnnouncer, HaveMap, InFlight, networkBlockSource, startTransferServer, transferSource } from './transfer/index.ts'
import type { TransferSwarm } from './transfer/index.ts'
import type { KitConfig, KitConfigInput } from './config/index.ts'
import type { CollectedMetrics, NodeStatus } from './metrics/index.ts'
import type { KitNode } from './node/index.ts'
import type { AutoGc } from './pins/index.ts'
import type { BlockSource } from './blocks/index.ts'
import type { FetcherOptions } from './transfer/index.ts'
import type { IPFSKitStorage } from './storage/index.ts'
import type { Repo } from './repo/index.ts'
import type { TransferServer } from './transfer/index.ts'
import type { Service } from './lifecycle.ts'
import type { ProgressEvent, ProgressOptions } from 'progress-events'
import type { CID } from 'multiformats/cid'
import type { Helia } from '@helia/interface'
import type { AbortOptions, Libp2p, PeerId } from '@libp2p/interface'

export interface KitOptions {
  /** Data directory. @default see resolveDataDir: env, config `cache_dir`, XDG, ~/.cache/ipfs_accelerate */
  dataDir?: string
  /** Run without libp2p. Also on with `IPFS_KIT_DISABLE=1` or config `force_fallback`. @default false */
  offline?: boolean
  /** A YAML config file merged over the embedded defaults. */
  configFile?: string
  /** Config values merged over the file (same shape as ipfs-kit.yaml). */
  config?: KitConfigInput
  /** libp2p listen addresses, replacing config `node.listen`. */
  listen?: string[]
  /** Bootstrap peers, replacing config `node.bootstrap`. */
  bootstrap?: string[]
  /** Environment to read (`IPFS_KIT_DISABLE`, cache dir variables, `${VAR}`). @default process.env */
  env?: NodeJS.ProcessEnv
  /**
   * `kit:start:service` as each service has started (repo, trust, node, transfer, storage, models, datasets, cache,
   * seeding, metrics, auto-gc, auto-tier). An error thrown here fails the start like the service's own would: what
   * had started is stopped in reverse and the data directory is released.
   */
  onProgress?: ProgressOptions<KitStartEvents>['onProgress']
}

export type KitStartEvents = ProgressEvent<'kit:start:service', { name: string }>

/** One open libp2p connection. */
export interface KitConnection {
  peerId: string
  /** The remote address, without `/p2p/<peer id>`. */
  address: string
  direction: 'inbound' | 'outbound'
  /** Round trip in ms, measured by libp2p's connection monitor every 10 s (absent until then). */
  rttMs?: number
}

export interface Kit {
  readonly config: KitConfig
  readonly dataDir: string
  readonly offline: boolean
  readonly peerId: PeerId
  /** This data directory's publisher id (did:key): signs the models it publishes; what others list in `trusted_publishers`. */
  readonly publisher: string
  /**
   * @internal The Helia node under the kit. Not part of the public API: reading blocks through it
   * skips the transfer engine, the metrics and gc holds. Use `kit.storage`.
   */
  readonly helia: Helia
  /** @internal The libp2p node (absent offline). Not part of the public API: use `dial`, `connections`, `protocols`, `findProviders`. */
  readonly libp2p: Libp2p | undefined
  /** The server side of our transfer protocol (requests served per peer); absent offline. */
  readonly transfer: TransferServer | undefined
  readonly storage: IPFSKitStorage
  /** Publish, find by name and pull models (`org/name`). */
  readonly models: Models
  /** Publish sharded datasets by name, plan and pull each worker's share from any peer, stream records. */
  readonly datasets: Datasets
  /** The inference-result cache: key → value as content, TTLs, LRU bounds, verified hits from peers (config `cache`). */
  readonly cache: Cache
  /** @internal The pin index. Not part of the public API: use `kit.storage.pin`, `unpin`, `pins`. */
  readonly pins: PinIndex
  /** Access statistics per root and popularity-driven pins (config `seeding`, src/seeding). */
  readonly seeding: Seeding
  /** The automatic gc timer (`performance.gc_interval`, `max_cache_size` × `gc_watermark`). */
  readonly autoGc: AutoGc
  /** This node's Prometheus registry and counts (src/metrics): `telemetry.prometheus()` is what `/metrics` serves. */
  readonly telemetry: KitMetrics
  /**
   * The seed plan's `IPFSKitMetrics.collect_metrics()`: available, using fallback, operation counts,
   * cache hits (blocks read locally) and misses (fetched from peers or missing), backend health.
   */
  metrics(): Promise<CollectedMetrics>
  /** Backend status plus addresses, models held and being pulled, counts and bytes per protocol (what `/status` serves). */
  status(): Promise<NodeStatus>
  /** Listen addresses with the peer id, as other nodes dial them (empty offline). */
  addresses(): string[]
  /** libp2p protocols this node answers (empty offline). */
  protocols(): string[]
  /** Open peer connections (empty offline). */
  connections(): KitConnection[]
  /**
   * Connect to a peer by multiaddr (ending in `/p2p/<peer id>`).
   *
   * @throws OfflineError offline
   */
  dial(address: string, options?: AbortOptions): Promise<void>
  /**
   * Peers that announce they provide `cid` (connected peers and the DHT).
   *
   * @throws OfflineError offline
   */
  findProviders(cid: string, options?: AbortOptions): AsyncGenerator<{ peerId: string, addresses: string[] }>
  /**
   * Stop every service in reverse start order and release the data directory. Afterwards every
   * storage, models and metrics call raises KitStoppedError. Calling it again does nothing.
   */
  stop(): Promise<void>
}

/**
 * Start a node.
 *
 * @example
 * const kit = await createKit({ dataDir: '/tmp/kit' })
 * const cid = await kit.storage.store('hello world')
 * await kit.stop()
 */
export async function createKit (options: KitOptions = {}): Promise<Kit> {
  const env = options.env ?? process.env
  const config = loadConfig({ file: options.configFile, overrides: options.config, env, dataDir: options.dataDir })
  const settings = config.ipfs_kit
  const dataDir = resolveDataDir(options.dataDir, settings.cache_dir, env)
  const offline = options.offline === true || envDisablesNetwork(env) || settings.force_fallback || !settings.enabled

  const started = Date.now()
  tuneHeap()
  // before the node: libp2p registers its series in the kit's registry as it starts
  const metrics = new KitMetrics()
  const pulls = new PullTracker()
  const lifecycle = new Lifecycle()
  const performance = settings.performance

  // the parts, each made by the service that starts it (in this order) and stopped in reverse
  let repo: Repo | undefined
  let files: FileIndex | undefined
  let node: KitNode | undefined
  let transfer: TransferServer | undefined
  let storage: MeteredStorage | undefined
  let models: TrackedModels | undefined
  let datasets: Datasets | undefined
  let autoGc: AutoGc | undefined
  let publisher: PublisherKey | undefined
  let trust: TrustStore | undefined
  let cache: Cache | undefined
  let tiers: OpenedTiers | undefined
  let autoTier: AutoGc | undefined
  let seeding: Seeding | undefined
  const services: Service[] = [
    {
      name: 'repo',
      start: async () => { repo = await openRepo(dataDir, { fsync: performance.fsync, sync: performance.fsync === 'always' }) },
      stop: async () => {
        try {
          await files?.flush() // access times noted since the last flush
        } finally {
          await repo?.close()
        }
      }
    },
    {
      name: 'trust',
      start: async () => {
        publisher = await loadOrCreatePublisherKey(dataDir)
        trust = new TrustStore({ meta: required(repo).meta, configured: settings.models.trusted_publishers })
      }
    },
    {
      name: 'node',
      start: async () => {
        node = await createNode({
          repo: required(repo),
          offline,
          listen: options.listen ?? settings.node.listen,
          bootstrap: options.bootstrap ?? settings.node.bootstrap,
          dhtProtocol: settings.node.dht_protocol,
          swarmKey: settings.node.swarm_key,
          allowList: settings.node.allow_list,
          metrics: libp2pMetrics(metrics, dataDir)
        })
      },
      stop: async () => { await node?.stop() }
    },
    {
      name: 'transfer',
      start: async () => {
        const { libp2p } = required(node)
        if (libp2p != null) {
          swarm.announcer = new HaveAnnouncer(libp2p)
          transfer = await startTransferServer(libp2p, required(repo).blockstore, { inFlight, haves: swarm.haves, protocols: swarm.protocols, maxStreamMs: settings.transfer.stream_max, uploadSlots: settings.transfer.upload_slots, onSent: (peer, bytes, cid) => { metrics.sentTo(peer, bytes); seeding?.noteServed(cid.toString()) } })
        }
      },
      stop: async () => {
        swarm.announcer?.stop()
        await transfer?.stop()
      }
    },
    {
      name: 'storage',
      start: async () => {
        const r = required(repo)
        const n = required(node)
        const mutex = new Mutex()
        const pins = new PinIndex({ meta: r.meta, mutex })
        const local = localBlockSource(r.blockstore)
        const fetcher = n.libp2p == null ? undefined : peerFetcher(n.libp2p, n.helia, r.blockstore, metrics, inFlight, swarm)
        files = new FileIndex(r.meta)
        tiers = await openTiers({ blockstore: r.blockstore, meta: r.meta, settings, files })
        storage = new MeteredStorage({
          blockstore: r.blockstore,
          files,
          pins,
          fileRefs: new PinIndex({ meta: r.meta, mutex }, { namespace: 'file-refs' }),
          gcLock: new RwLock(),
          holds: new Holds(),
          local,
          network: fetcher?.({ timeoutMs: DEFAULT_FETCH_TIMEOUT_MS }) ?? meteredBlockSource(local, metrics),
          fetcher,
          libp2p: n.libp2p,
          peerId: n.peerId,
          quarantined: () => r.quarantine.count,
          dataDir,
          pinByDefault: settings.storage_policy.pin_by_default,
          lifecycle,
          tiers: tiers.policy,
          defaultBackends: settings.storage_policy.default_backends,
          onRead: root => { seeding?.noteRead(root.toString()) },
          lastRead: cid => seeding?.access.lastRead(cid),
          replicate: async (cid, replicas) => { await required(seeding).replicate(cid, replicas) }
        }, metrics)
        internals = { pins, helia: n.helia }
        models = new TrackedModels({ storage, blockstore: r.blockstore, meta: r.meta, local, fetcher, libp2p: n.libp2p, env, lifecycle, publisher: required(publisher), trust: required(trust), allowUnsigned: settings.models.allow_unsigned, onRead: root => { seeding?.noteRead(root) } }, pulls)
        datasets = new TrackedDatasets({
          storage, blockstore: r.blockstore, meta: r.meta, local, fetcher, libp2p: n.libp2p, lifecycle, publisher: required(publisher), trust: required(trust), allowUnsigned: settings.models.allow_unsigned,
          settings: { prefetch: settings.datasets.prefetch, maxBytes: settings.datasets.max_bytes, memberGraceMs: settings.datasets.member_grace }
        }, pulls)
      },
      stop: async () => { tiers?.close() }
    },
    {
      name: 'models',
      start: async () => { await required(models).start() },
      stop: async () => { await models?.stop() }
    },
    {
      name: 'datasets',
      start: async () => { await required(datasets).start() },
      stop: async () => { await datasets?.stop() }
    },
    {
      name: 'cache',
      start: async () => {
        const m = required(models)
        cache = new Cache({
          storage: required(storage),
          meta: required(repo).meta,
          publisher: required(publisher),
          libp2p: required(node).libp2p,
          modelRoot: async name => modelRoot(await m.list(), name),
          lifecycle
        }, settings.cache)
        await cache.start()
      },
      stop: async () => { await cache?.stop() }
    },
    {
      name: 'seeding',
      start: async () => {
        const libp2p = required(node).libp2p
        const s = new Seeding({
          meta: required(repo).meta,
          lifecycle,
          pinning: {
            storage: required(storage),
            pins: required(internals).pins,
            blockstore: required(repo).blockstore,
            provide: libp2p == null ? undefined : async cid => { await libp2p.contentRouting.provide(cid, { signal: AbortSignal.timeout(SEEDING_PROVIDE_TIMEOUT_MS) }) }
          },
          replication: libp2p == null
            ? undefined
            : {
                libp2p,
                pins: required(internals).pins,
                storage: required(storage),
                dataDir,
                // writes that remote peers start: only where something says who the cluster is
                acceptReplicas: settings.node.swarm_key != null || settings.seeding.accept_replicas,
                tags: settings.node.tags,
                // a preheat pulls whole: every file of a model, every shard of a dataset (rank 0 of 1)
                pull: async (kind, name, options) => {
                  if (kind === 'model') await required(models).pull(name, options)
                  else await required(datasets).pull(name, { ...options, rank: 0, world: 1 })
                }
              }
        }, settings.seeding)
        await s.start()
        seeding = s
      },
      stop: async () => { await seeding?.stop() }
    },
    {
      name: 'metrics',
      start: () => {
        registerSeedingMetrics(metrics.registry, () => seeding)
        const s = required(storage)
        metrics.watchCache(() => required(cache).stats(), () => required(cache).sharingStats())
        const hot = required(tiers).policy.hot
        if (hot != null) metrics.watchHot(() => hot.stats())
        metrics.watch({
          peers: () => node?.libp2p?.getConnections().length ?? 0,
          quarantined: () => repo?.quarantine.count ?? 0,
          activePulls: () => pulls.size,
          repo: async () => (await s.status()).repo,
          gc: () => ({ maxBytes: performance.max_cache_size, watermark: performance.gc_watermark, targetBytes: Math.floor(performance.max_cache_size * performance.gc_watermark), intervalMs: performance.gc_interval, runs: autoGc?.runs ?? 0, failures: autoGc?.failures ?? 0 })
        })
        metrics.history.start()
      },
      stop: async () => { await metrics.history.stop() }
    },
    {
      name: 'auto-gc',
      start: () => {
        const s = required(storage)
        autoGc = startAutoGc({
          intervalMs: performance.gc_interval,
          collect: async signal => await s.evict(Math.floor(performance.max_cache_size * performance.gc_watermark), { signal })
        })
      },
      stop: async () => { await autoGc?.stop() }
    },
    {
      name: 'auto-tier',
      start: () => {
        const s = required(storage)
        autoTier = startAutoGc({ intervalMs: AUTO_TIER_INTERVAL_MS, collect: async signal => await s.autoTier({ signal }) })
      },
      stop: async () => { await autoTier?.stop() }
    }
  ]
  const inFlight = new InFlight()
  // what peers announced they hold, our announcer, and the transfer versions spoken (config `transfer.versions`)
  const swarm: TransferSwarm = { haves: new HaveMap(), downlink: new Downlink(), protocols: settings.transfer.versions.map(v => `/ipfs-kit/transfer/${v}`) }
  let internals: { pins: PinIndex, helia: Helia } | undefined
  const stopAll = await startAll(services, name => {
    options.onProgress?.(new CustomProgressEvent('kit:start:service', { name }))
  })

  const kitNode = required(node)
  // only now that every protocol is handled: peers identify us as we connect
  await kitNode.connect()
  const addresses = (): string[] => kitNode.libp2p?.getMultiaddrs().map(ma => ma.toString()) ?? []
  const running = <T>(operation: string, fn: () => T): T => {
    lifecycle.assertRunning(operation)
    return fn()
  }
  const connections = (): KitConnection[] => (kitNode.libp2p?.getConnections() ?? []).map(c => ({
    peerId: c.remotePeer.toString(),
    address: c.remoteAddr.decapsulateCode(P2P_CODE).toString(),
    direction: c.direction,
    ...(c.rtt != null ? { rttMs: c.rtt } : {})
  }))
  const kitStorage = required(storage)
  const kitModels = required(models)
  return {
    config,
    dataDir,
    offline,
    peerId: kitNode.peerId,
    publisher: required(publisher).id,
    helia: kitNode.helia,
    libp2p: kitNode.libp2p,
    transfer,
    storage: kitStorage,
    models: kitModels,
    datasets: required(datasets),
    cache: required(cache),
    pins: required(internals).pins,
    seeding: required(seeding),
    autoGc: required(autoGc),
    telemetry: metrics,
    metrics: async () => await running('metrics', async () => await collectMetrics({ storage: kitStorage, metrics })),
    status: async () => await running('status', async () => await nodeStatus({ storage: kitStorage, models: kitModels, pulls, metrics, offline, started, addresses, connections, replications: () => seeding?.replications() ?? [], autoPins: () => seeding?.autoPinFigures() ?? { roots: 0, bytes: 0 } })),
    addresses,
    protocols: () => kitNode.libp2p?.getProtocols() ?? [],
    connections,
    dial: async (address, dialOptions = {}) => {
      lifecycle.assertRunning('dial')
      const libp2p = online(kitNode.libp2p, 'dial')
      await libp2p.dial(multiaddr(address), dialOptions)
    },
    findProviders: async function * (cid, findOptions = {}) {
      lifecycle.assertRunning('findProviders')
      const libp2p = online(kitNode.libp2p, 'findProviders')
      for await (const provider of libp2p.contentRouting.findProviders(parseCid(cid), findOptions)) {
        yield { peerId: provider.id.toString(), addresses: provider.multiaddrs.map(ma => ma.toString()) }
      }
    },
    stop: async () => {
      lifecycle.markStopped()
      await stopAll()
    }
  }
}

/** The multiaddr code of `/p2p/<peer id>`. */
const P2P_CODE = 421

/**
 * Sources of blocks from peers: our transfer protocol, with bitswap for blocks no peer speaking it
 * has; every block verified, written locally, counted, and — given a hold — held from before it is
 * asked for.
 */
function peerFetcher (libp2p: Libp2p, helia: Helia, blockstore: Repo['blockstore'], metrics: KitMetrics, inFlight: InFlight, swarm: TransferSwarm): (options: FetcherOptions) => BlockSource {
  return ({ timeoutMs, onFetched, onProgress, hold }) => {
    const fetched = (cid: CID, bytes: Uint8Array, peer?: string): void => { metrics.fetched(cid, bytes, peer); onFetched?.(cid, bytes, peer) }
    const source = meteredBlockSource(transferSource({
      libp2p,
      blockstore,
      fallback: networkBlockSource({ blockstore, helia, fetchTimeoutMs: timeoutMs, onFetched: fetched }),
      timeoutMs,
      onFetched: fetched,
      onProgress,
      inFlight,
      haves: swarm.haves,
      announcer: swarm.announcer,
      protocols: swarm.protocols,
      downlink: swarm.downlink
    }), metrics)
    return hold == null ? source : heldSource(source, hold)
  }
}

/** The manifest root held for `org/name` (revision `main`, else the newest) or `org/name@revision`. */
function modelRoot (held: Array<{ name: string, revision: string, root: string, created: number }>, model: string): string | undefined {
  const at = model.lastIndexOf('@')
  const name = at > 0 ? model.slice(0, at) : model
  const revision = at > 0 ? model.slice(at + 1) : undefined
  const matches = held.filter(m => m.name === name && (revision == null || m.revision === revision)).sort((a, b) => b.created - a.created)
  return (matches.find(m => m.revision === 'main') ?? matches[0])?.root
}

/** A part made by an earlier service of the start list. */
function required<T> (part: T | undefined): T {
  if (part == null) throw new Error('a kit service started before the one that makes what it needs')
  return part
}

function online (libp2p: Libp2p | undefined, operation: string): Libp2p {
  if (libp2p == null) throw new OfflineError(operation)
  return libp2p
}
