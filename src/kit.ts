/**
 * `createKit()`: one embedded node — config, data directory, Helia (with
 * libp2p unless offline), pins and the storage API — started in order and
 * stopped in reverse.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { envDisablesNetwork, loadConfig, resolveDataDir } from './config/index.ts'
import { DEFAULT_FETCH_TIMEOUT_MS } from './constants.ts'
import { OfflineError } from './errors.ts'
import { KitMetrics, MeteredStorage, PullTracker, TrackedModels, collectMetrics, libp2pMetrics, meteredBlockSource, nodeStatus } from './metrics/index.ts'
import { createNode, tuneHeap } from './node/index.ts'
import { Models } from './models/index.ts'
import { Holds, Mutex, PinIndex, RwLock, startAutoGc } from './pins/index.ts'
import { openRepo } from './repo/index.ts'
import { FileIndex } from './storage/index.ts'
import { localBlockSource, parseCid } from './blocks/index.ts'
import { networkBlockSource } from './transfer/index.ts'
import { InFlight, startTransferServer, transferSource } from './transfer/index.ts'
import type { KitConfig, KitConfigInput } from './config/index.ts'
import type { CollectedMetrics, NodeStatus } from './metrics/index.ts'
import type { KitNode } from './node/index.ts'
import type { AutoGc } from './pins/index.ts'
import type { BlockSource } from './blocks/index.ts'
import type { FetcherOptions } from './transfer/index.ts'
import type { IPFSKitStorage } from './storage/index.ts'
import type { Repo } from './repo/index.ts'
import type { TransferServer } from './transfer/index.ts'
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
}

export interface Kit {
  readonly config: KitConfig
  readonly dataDir: string
  readonly offline: boolean
  readonly peerId: PeerId
  readonly helia: Helia
  /** Absent offline. */
  readonly libp2p: Libp2p | undefined
  /** The server side of our transfer protocol (requests served per peer); absent offline. */
  readonly transfer: TransferServer | undefined
  readonly storage: IPFSKitStorage
  /** Publish, find by name and pull models (`org/name`). */
  readonly models: Models
  readonly pins: PinIndex
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

  const fsync = settings.performance.fsync
  const repo: Repo = await openRepo(dataDir, { fsync, sync: fsync === 'always' })
  let node: KitNode
  try {
    node = await createNode({
      repo,
      offline,
      listen: options.listen ?? settings.node.listen,
      bootstrap: options.bootstrap ?? settings.node.bootstrap,
      dhtProtocol: settings.node.dht_protocol,
      swarmKey: settings.node.swarm_key,
      allowList: settings.node.allow_list,
      metrics: libp2pMetrics(metrics, dataDir)
    })
  } catch (err) {
    await repo.close()
    throw err
  }

  const mutex = new Mutex()
  const pins = new PinIndex({ meta: repo.meta, mutex })
  const local = localBlockSource(repo.blockstore)
  const helia = node.helia
  const inFlight = new InFlight()
  const transfer = node.libp2p == null ? undefined : await startTransferServer(node.libp2p, repo.blockstore, { inFlight })
  // blocks from peers: our transfer protocol, with bitswap for blocks no peer speaking it has
  const fetcher: ((options: FetcherOptions) => BlockSource) | undefined = node.libp2p == null
    ? undefined
    : ({ timeoutMs, onFetched, onProgress }: FetcherOptions) => {
        const fetched = (cid: CID, bytes: Uint8Array): void => { metrics.fetched(cid, bytes); onFetched?.(cid, bytes) }
        return meteredBlockSource(transferSource({
          libp2p: node.libp2p as Libp2p,
          blockstore: repo.blockstore,
          fallback: networkBlockSource({ blockstore: repo.blockstore, helia, fetchTimeoutMs: timeoutMs, onFetched: fetched }),
          timeoutMs,
          onFetched: fetched,
          onProgress,
          inFlight
        }), metrics)
      }
  const files = new FileIndex(repo.meta)
  const storage = new MeteredStorage({
    blockstore: repo.blockstore,
    files,
    pins,
    fileRefs: new PinIndex({ meta: repo.meta, mutex }, { namespace: 'file-refs' }),
    gcLock: new RwLock(),
    holds: new Holds(),
    local,
    network: fetcher?.({ timeoutMs: DEFAULT_FETCH_TIMEOUT_MS }) ?? meteredBlockSource(local, metrics),
    fetcher,
    libp2p: node.libp2p,
    peerId: node.peerId,
    quarantined: () => repo.quarantine.count,
    dataDir,
    pinByDefault: settings.storage_policy.pin_by_default
  }, metrics)

  const models = new TrackedModels({
    storage,
    blockstore: repo.blockstore,
    meta: repo.meta,
    local,
    fetcher,
    libp2p: node.libp2p,
    env
  }, pulls)
  await models.start()
  metrics.watch({
    peers: () => node.libp2p?.getConnections().length ?? 0,
    quarantined: () => repo.quarantine.count,
    activePulls: () => pulls.size,
    repo: async () => {
      const { repo: figures } = await storage.status()
      return figures
    }
  })

  const performance = settings.performance
  const autoGc = startAutoGc({
    intervalMs: performance.gc_interval,
    collect: async signal => await storage.evict(Math.floor(performance.max_cache_size * performance.gc_watermark), { signal })
  })

  let stopped = false
  return {
    config,
    dataDir,
    offline,
    peerId: node.peerId,
    helia: node.helia,
    libp2p: node.libp2p,
    transfer,
    storage,
    models,
    pins,
    autoGc,
    telemetry: metrics,
    metrics: async () => await collectMetrics({ storage, metrics }),
    status: async () => await nodeStatus({ storage, models, pulls, metrics, offline, started, addresses: () => node.libp2p?.getMultiaddrs().map(ma => ma.toString()) ?? [] }),
    addresses: () => node.libp2p?.getMultiaddrs().map(ma => ma.toString()) ?? [],
    dial: async (address, dialOptions = {}) => {
      const libp2p = online(node.libp2p, 'dial')
      await libp2p.dial(multiaddr(address), dialOptions)
    },
    findProviders: async function * (cid, findOptions = {}) {
      const libp2p = online(node.libp2p, 'findProviders')
      for await (const provider of libp2p.contentRouting.findProviders(parseCid(cid), findOptions)) {
        yield { peerId: provider.id.toString(), addresses: provider.multiaddrs.map(ma => ma.toString()) }
      }
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      await autoGc.stop()
      await models.stop()
      await transfer?.stop()
      try {
        await node.stop()
      } finally {
        try {
          await files.flush() // access times noted since the last flush
        } finally {
          await repo.close()
        }
      }
    }
  }
}


function online (libp2p: Libp2p | undefined, operation: string): Libp2p {
  if (libp2p == null) throw new OfflineError(operation)
  return libp2p
}
