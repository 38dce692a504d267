/**
 * What `kit.status()` and `kit.metrics()` return: the storage backend status
 * with the node's addresses, models held and being pulled, and operation
 * counts; and the seed plan's `IPFSKitMetrics.collect_metrics()` shape.
 */
import type { CacheFigures, KitMetrics, OperationCounts } from './kit-metrics.ts'
import type { ActivePull, PullTracker } from './pull-tracker.ts'
import type { LocalModel, Models } from '../models/index.ts'
import type { BackendStatus, IPFSKitStorage } from '../storage/index.ts'

export interface NodeStatus extends BackendStatus {
  /** Running without libp2p. */
  offline: boolean
  /** Listen addresses with the peer id (empty offline). */
  addresses: string[]
  /** ms since the kit started. */
  uptimeMs: number
  models: {
    /** Published here or pulled. */
    held: LocalModel[]
    /** Pulls in progress with their latest progress. */
    pulling: ActivePull[]
  }
  counts: OperationCounts
  /** The inference cache's stats (what `kit.cache.stats()` returns). */
  cache: CacheFigures
  /** Bytes sent and received per libp2p protocol since start (`global` is every connection); empty offline. */
  transfer: Record<string, { sent: number, received: number }>
}

/**
 * The seed plan's `IPFSKitMetrics.collect_metrics()`, camelCased as the rest
 * of the API (`ipfs_kit_available` → `ipfsKitAvailable`, …).
 */
export interface CollectedMetrics {
  ipfsKitAvailable: boolean
  usingFallback: boolean
  storageOperations: {
    store: number
    retrieve: number
    /** Inference cache gets answered with a value (`kit.cache.stats().hits`). */
    cacheHits: number
    /** Inference cache gets answered with nothing (`kit.cache.stats().misses`). */
    cacheMisses: number
    /** Blocks read from the local store. */
    blockHits: number
    /** Blocks fetched from peers or not found. */
    blockMisses: number
  } & Omit<OperationCounts['operations'], 'store' | 'retrieve'> & { networkFetches: number, networkBytes: number, errors: number }
  backendHealth: BackendStatus
}

export interface StatusSources {
  storage: IPFSKitStorage
  models: Models
  pulls: PullTracker
  metrics: KitMetrics
  offline: boolean
  addresses(): string[]
  started: number
}

export async function nodeStatus (s: StatusSources): Promise<NodeStatus> {
  // read before the awaits: a pull that ends meanwhile is still shown as it was when asked
  const pulling = s.pulls.list()
  const [backend, held, transfer] = await Promise.all([s.storage.status(), s.models.list(), transferByProtocol(s.metrics)])
  return {
    ...backend,
    offline: s.offline,
    addresses: s.addresses(),
    uptimeMs: Date.now() - s.started,
    models: { held, pulling },
    counts: s.metrics.counts(),
    cache: s.metrics.cacheFigures(),
    transfer
  }
}

export async function collectMetrics (s: Pick<StatusSources, 'storage' | 'metrics'>): Promise<CollectedMetrics> {
  const backend = await s.storage.status()
  const counts = s.metrics.counts()
  const cache = s.metrics.cacheFigures()
  return {
    ipfsKitAvailable: backend.ipfsKitAvailable,
    usingFallback: backend.usingFallback,
    storageOperations: {
      ...counts.operations,
      cacheHits: cache.hits,
      cacheMisses: cache.misses,
      blockHits: counts.cacheHits,
      blockMisses: counts.cacheMisses,
      networkFetches: counts.networkFetches,
      networkBytes: counts.networkBytes,
      errors: counts.errors
    },
    backendHealth: backend
  }
}

/** libp2p's `libp2p_data_transfer_bytes_total`, whose labels read `<protocol> sent|received`. */
async function transferByProtocol (metrics: KitMetrics): Promise<Record<string, { sent: number, received: number }>> {
  const metric = metrics.registry.getSingleMetric('libp2p_data_transfer_bytes_total')
  if (metric == null) return {}
  const out: Record<string, { sent: number, received: number }> = {}
  for (const { labels, value } of (await metric.get()).values) {
    const match = /^(.*) (sent|received)$/.exec(String(labels.protocol ?? ''))
    if (match == null) continue
    const entry = out[match[1] as string] ??= { sent: 0, received: 0 }
    entry[match[2] as 'sent' | 'received'] += value
  }
  return out
}
