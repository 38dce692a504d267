/**
 * What `kit.status()` and `kit.metrics()` return: the storage backend status
 * with the node's addresses, models held and being pulled, operation counts,
 * what holds the repo against its ceiling, peers, and the last minutes of
 * throughput and cache counters; and the seed plan's
 * `IPFSKitMetrics.collect_metrics()` shape. docs/status.schema.json documents
 * `kit.status()` field by field (test/http/status-page.spec.ts holds the two
 * together).
 */
import { STATUS_PEERS_SHOWN } from '../constants.ts'
import { groupTransfer, readTransfer } from './status-history.ts'
import type { CacheFigures, GcFigures, KitMetrics, OperationCounts } from './kit-metrics.ts'
import type { ActivePull, PullTracker } from './pull-tracker.ts'
import type { StatusSample } from './status-history.ts'
import type { TrackedModels } from './tracked-models.ts'
import type { LocalModel } from '../models/index.ts'
import type { BackendStatus, IPFSKitStorage } from '../storage/index.ts'

/** Count and bytes of one kind of content that holds repo space. */
export interface Holding {
  count: number
  /** Bytes. */
  bytes: number
}

/** One open connection, with what went over it. */
export interface PeerConnection {
  peerId: string
  address: string
  direction: 'inbound' | 'outbound'
  /** Round trip measured by libp2p's connection monitor (every 10 s); null until first measured. */
  rttMs: number | null
  /** Bytes of verified blocks this peer sent us over our transfer protocol since start. */
  receivedBytes: number
  /** Bytes of blocks we sent this peer over our transfer protocol since start. */
  sentBytes: number
}

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
  /** ms since the epoch, on the node's clock, when this status was read. */
  now: number
  /** The automatic gc: the repo's ceiling and watermark, runs, and bytes freed by gc and eviction since start. */
  gc: GcFigures & { freedBytes: number }
  /**
   * What holds repo space, by kind. `pins`: distinct blocks held by pins; `models`: the files of
   * the models held (their manifests' sizes); `cache`: the inference cache's live values. Kinds a
   * later feature adds (auto pins, datasets) appear as keys of the same shape.
   */
  holdings: Record<string, Holding>
  /** Every pull in progress, of any kind (`models.pulling` is the model ones). */
  pulls: ActivePull[]
  /** Connected peers, one row each (at most STATUS_PEERS_SHOWN, those that sent us most first); `peers` counts all connections. */
  connections: PeerConnection[]
  /** The inference cache's cluster side: lookups sent and served, digests gossiped, hints kept, peers ignored for forgeries. */
  cacheSharing: { asksSent: number, asksServed: number, digestsAnnounced: number, hints: number, ignoredPeers: number }
  /** Roots this node replicates or holds for the cluster (`pin add --replicas`), by state. */
  replication: { roots: number, ok: number, under: number, over: number, repairing: number }
  /** Cumulative counters sampled every `intervalMs` over the last minutes, oldest first, and `current`: the same counters now. */
  history: { intervalMs: number, samples: StatusSample[], current: StatusSample }
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
  models: TrackedModels
  pulls: PullTracker
  metrics: KitMetrics
  offline: boolean
  addresses(): string[]
  /** Open connections with their round trip (ms) when measured. */
  connections(): Array<{ peerId: string, address: string, direction: 'inbound' | 'outbound', rttMs?: number }>
  started: number
  /** The replicated roots this node knows of, with their state (none before seeding has started). */
  replications?(): Array<{ state: 'ok' | 'under' | 'over' | 'repairing' }>
  /** Roots pinned only as `auto`, and their bytes. */
  autoPins?(): { roots: number, bytes: number }
}

export async function nodeStatus (s: StatusSources): Promise<NodeStatus> {
  // read before the awaits: a pull that ends meanwhile is still shown as it was when asked
  const pulls = s.pulls.list()
  const [backend, held, transfer] = await Promise.all([s.storage.status(), s.models.list(), readTransfer(s.metrics.registry)])
  const counts = s.metrics.counts()
  const cache = s.metrics.cacheFigures()
  const sharing = s.metrics.sharingFigures()
  const gc = s.metrics.gcFigures() ?? { maxBytes: 0, watermark: 0, targetBytes: 0, intervalMs: 0, runs: 0, failures: 0 }
  const liveModels = held.filter(m => m.origin !== 'yanked')
  const now = Date.now()
  return {
    ...backend,
    offline: s.offline,
    addresses: s.addresses(),
    uptimeMs: now - s.started,
    models: { held, pulling: pulls.filter(p => p.kind === 'model') },
    counts,
    cache,
    transfer,
    now,
    gc: { ...gc, freedBytes: (counts.bytes.gc ?? 0) + (counts.bytes.evict ?? 0) },
    holdings: {
      pins: { count: backend.repo.pins, bytes: backend.repo.pinnedBytes },
      models: { count: liveModels.length, bytes: await s.models.heldBytes(liveModels) },
      cache: { count: cache.entries, bytes: cache.bytes },
      ...(s.autoPins == null ? {} : { autoPins: (({ roots, bytes }) => ({ count: roots, bytes }))(s.autoPins()) })
    },
    pulls,
    connections: connectionsOf(s),
    cacheSharing: {
      asksSent: sharing?.asksSent ?? 0,
      asksServed: sharing?.asksServed ?? 0,
      digestsAnnounced: sharing?.digestsAnnounced ?? 0,
      hints: sharing?.hints ?? 0,
      ignoredPeers: sharing?.ignoredPeers.length ?? 0
    },
    replication: replicationCounts(s.replications?.() ?? []),
    history: {
      intervalMs: s.metrics.history.intervalMs,
      samples: s.metrics.history.samples(),
      current: { at: now, transfer: groupTransfer(transfer), cacheHits: cache.hits, cacheMisses: cache.misses, cacheRemoteHits: cache.remoteHits }
    }
  }
}

function connectionsOf (s: StatusSources): PeerConnection[] {
  // one row per peer: a second connection to the same peer (both dialled at once) adds nothing to show
  const byPeer = new Map<string, ReturnType<StatusSources['connections']>[number]>()
  for (const c of s.connections()) if (!byPeer.has(c.peerId) || (byPeer.get(c.peerId)?.rttMs == null && c.rttMs != null)) byPeer.set(c.peerId, c)
  return [...byPeer.values()]
    .map(c => {
      const traffic = s.metrics.peerTraffic.get(c.peerId)
      return { peerId: c.peerId, address: c.address, direction: c.direction, rttMs: c.rttMs ?? null, receivedBytes: traffic.received, sentBytes: traffic.sent }
    })
    .sort((a, b) => b.receivedBytes - a.receivedBytes || b.sentBytes - a.sentBytes)
    .slice(0, STATUS_PEERS_SHOWN)
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

function replicationCounts (entries: Array<{ state: 'ok' | 'under' | 'over' | 'repairing' }>): NodeStatus['replication'] {
  const out = { roots: entries.length, ok: 0, under: 0, over: 0, repairing: 0 }
  for (const e of entries) out[e.state]++
  return out
}
