/**
 * `KitMetrics`: the counters, gauges and latency histograms of one kit, in a
 * prom-client registry of its own (several kits in one process, as tests make,
 * never share or clear each other's series). libp2p's metrics land in the same
 * registry (see `libp2pMetrics`).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { LATENCY_BUCKETS_SECONDS, METRICS_SNAPSHOT_TTL_MS } from '../constants.ts'
import { processMetrics } from './process-metrics.ts'
import { PeerTraffic } from './peer-traffic.ts'
import { groupTransfer, readTransfer, StatusHistory } from './status-history.ts'
import type { CID } from 'multiformats/cid'
import type { CacheStats, SharingStats } from '../cache/index.ts'

/** The storage operations that are counted and timed. */
export type Operation = 'store' | 'retrieve' | 'stream' | 'pin' | 'unpin' | 'delete' | 'gc' | 'evict' | 'verify'

/** How an operation ended: `not_found` when it returned `undefined`/`false` for missing content. */
export type Outcome = 'ok' | 'not_found' | 'error'

/** Where a block read by storage came from. */
export type BlockOrigin = 'local' | 'network' | 'missing'

/** The repo gauges, from one scan. */
export interface RepoFigures {
  blocks: number
  bytes: number
  pins: number
  /** Bytes of the distinct blocks held by at least one pin. */
  pinnedBytes: number
}

/** Figures that are read when scraped rather than counted as they happen. */
export interface GaugeSources {
  /** Open peer connections. */
  peers(): number
  /** Blocks moved to quarantine (failed their hash) since start. */
  quarantined(): number
  /** Blocks, bytes, pinned roots and the bytes pins hold (O(blocks): read at most once per METRICS_SNAPSHOT_TTL_MS). */
  repo(): Promise<RepoFigures>
  /** Model pulls in progress. */
  activePulls(): number
  /** The automatic gc: the repo's ceiling (`max_cache_size`), what each run evicts down to, runs and failed runs so far. */
  gc?(): GcFigures
}

/** The automatic gc's limits and runs. */
export interface GcFigures {
  /** `performance.max_cache_size`, bytes. */
  maxBytes: number
  /** `performance.gc_watermark`: the fraction of maxBytes each run evicts down to. */
  watermark: number
  /** maxBytes × watermark. */
  targetBytes: number
  /** `performance.gc_interval`, ms (0: no automatic gc). */
  intervalMs: number
  runs: number
  failures: number
}

/** The hot tier's stats, as `HotCache.stats()` gives them. */
export interface HotFigures { bytes: number, blocks: number, capacity: number, hits: number, misses: number }

/** The inference cache's stats, as `kit.cache.stats()` gives them (metrics reads what it measures). */
export type CacheFigures = CacheStats

/** Counts kept beside the Prometheus series, for `kit.metrics()` and the status page. */
export interface OperationCounts {
  /** Operations by kind (every outcome). */
  operations: Record<Operation, number>
  /** Bytes by operation: stored, retrieved, streamed, freed by gc and eviction. */
  bytes: Partial<Record<Operation, number>>
  /** Blocks read from the local store. */
  cacheHits: number
  /** Blocks that had to come from peers, or could not be found. */
  cacheMisses: number
  /** Blocks fetched from peers, and their bytes. */
  networkFetches: number
  networkBytes: number
  /** Operations that threw. */
  errors: number
}

const OPERATIONS: Operation[] = ['store', 'retrieve', 'stream', 'pin', 'unpin', 'delete', 'gc', 'evict', 'verify']

export class KitMetrics {
  /** This kit's registry: its own series and libp2p's. */
  readonly registry = new Registry()
  private readonly operationsTotal: Counter<'operation' | 'result'>
  private readonly bytesTotal: Counter<'operation'>
  private readonly duration: Histogram<'operation'>
  private readonly blockReads: Counter<'source'>
  private readonly fetchedBytes: Counter
  private readonly tallies: OperationCounts = {
    operations: Object.fromEntries(OPERATIONS.map(op => [op, 0])) as Record<Operation, number>,
    bytes: {},
    cacheHits: 0,
    cacheMisses: 0,
    networkFetches: 0,
    networkBytes: 0,
    errors: 0
  }

  /** Blocks reported fetched by the network source and not yet matched with their read, by CID. */
  private readonly fetchedPending = new Map<string, number>()
  private snapshot: { at: number, value: Promise<RepoFigures> } | undefined
  private sources: GaugeSources | undefined
  private cacheStats: (() => CacheFigures) | undefined
  private sharingStats: (() => SharingStats) | undefined
  private hotStats: (() => HotFigures) | undefined
  /** Bytes each peer served us and we served it (bounded), for the status page's peers. */
  readonly peerTraffic = new PeerTraffic()
  /** Samples of the throughput and cache counters over the last minutes; `start()`ed by the kit. */
  readonly history = new StatusHistory({
    sample: async () => {
      const cache = this.cacheFigures()
      return { at: Date.now(), transfer: groupTransfer(await readTransfer(this.registry)), cacheHits: cache.hits, cacheMisses: cache.misses, cacheRemoteHits: cache.remoteHits }
    }
  })

  constructor () {
    const registers = [this.registry]
    this.operationsTotal = new Counter({ name: 'ipfs_kit_operations_total', help: 'Storage operations by kind and outcome', labelNames: ['operation', 'result'], registers })
    this.bytesTotal = new Counter({ name: 'ipfs_kit_operation_bytes_total', help: 'Bytes stored, retrieved, streamed, or freed (gc, evict)', labelNames: ['operation'], registers })
    this.duration = new Histogram({ name: 'ipfs_kit_operation_duration_seconds', help: 'Storage operation latency (stream: until its last byte)', labelNames: ['operation'], buckets: LATENCY_BUCKETS_SECONDS, registers })
    this.blockReads = new Counter({ name: 'ipfs_kit_block_reads_total', help: 'Blocks read by storage: local hits, network fetches, missing', labelNames: ['source'], registers })
    this.fetchedBytes = new Counter({ name: 'ipfs_kit_network_fetched_bytes_total', help: 'Bytes of blocks fetched from peers', registers })
    const repo = async (): Promise<RepoFigures> => await this.repoSnapshot()
    gauge(registers, 'ipfs_kit_connected_peers', 'Open peer connections', () => this.sources?.peers() ?? 0)
    gauge(registers, 'ipfs_kit_quarantined_blocks', 'Corrupt blocks moved to quarantine since start', () => this.sources?.quarantined() ?? 0)
    gauge(registers, 'ipfs_kit_model_pulls_active', 'Model pulls in progress', () => this.sources?.activePulls() ?? 0)
    gauge(registers, 'ipfs_kit_repo_bytes', 'Bytes of blocks in the repo', async () => (await repo()).bytes)
    gauge(registers, 'ipfs_kit_repo_blocks', 'Blocks in the repo', async () => (await repo()).blocks)
    gauge(registers, 'ipfs_kit_pins', 'Pinned roots', async () => (await repo()).pins)
    const cache = (): CacheFigures => this.cacheFigures()
    counter(registers, 'ipfs_kit_cache_hits_total', 'Inference cache gets answered with a value (here or from a peer)', () => cache().hits)
    counter(registers, 'ipfs_kit_cache_misses_total', 'Inference cache gets answered with nothing', () => cache().misses)
    counter(registers, 'ipfs_kit_cache_remote_hits_total', 'Inference cache gets answered by a peer\'s signed entry, value verified', () => cache().remoteHits)
    counter(registers, 'ipfs_kit_cache_evictions_total', 'Inference cache entries evicted (least recently used) to stay within max_entries / max_bytes', () => cache().evictions)
    counter(registers, 'ipfs_kit_cache_expirations_total', 'Inference cache entries removed when their TTL passed', () => cache().expirations)
    gauge(registers, 'ipfs_kit_cache_entries', 'Live inference cache entries', () => cache().entries)
    gauge(registers, 'ipfs_kit_cache_bytes', 'Bytes of the live inference cache entries\' values', () => cache().bytes)
    const sharing = (): SharingStats | undefined => this.sharingStats?.()
    counter(registers, 'ipfs_kit_cache_asks_sent_total', 'Inference cache lookups sent to peers on local misses', () => sharing()?.asksSent ?? 0)
    counter(registers, 'ipfs_kit_cache_asks_served_total', 'Inference cache lookups from peers answered (hits and misses)', () => sharing()?.asksServed ?? 0)
    counter(registers, 'ipfs_kit_cache_digests_announced_total', 'Key digests of new inference cache entries gossiped to the cluster', () => sharing()?.digestsAnnounced ?? 0)
    gauge(registers, 'ipfs_kit_cache_hints', 'Hints kept from peers\' gossip (peer, key digest): who to ask first on a miss', () => sharing()?.hints ?? 0)
    const hot = (): HotFigures => this.hotStats?.() ?? { bytes: 0, blocks: 0, capacity: 0, hits: 0, misses: 0 }
    counter(registers, 'ipfs_kit_hot_tier_hits_total', 'Block reads answered by the hot tier (memory)', () => hot().hits)
    counter(registers, 'ipfs_kit_hot_tier_misses_total', 'Block reads the hot tier did not hold (read from disk, the bucket or peers); hit rate = hits / (hits + misses)', () => hot().misses)
    gauge(registers, 'ipfs_kit_hot_tier_bytes', 'Bytes of verified blocks held in the hot tier (at most performance.memory_cache_size)', () => hot().bytes)
    const gc = (): GcFigures | undefined => this.sources?.gc?.()
    gauge(registers, 'ipfs_kit_repo_max_bytes', 'The repo\'s ceiling (performance.max_cache_size); ipfs_kit_repo_bytes / this is how full it is', () => gc()?.maxBytes ?? 0)
    gauge(registers, 'ipfs_kit_gc_target_bytes', 'What automatic gc evicts unpinned content down to (max_cache_size × gc_watermark)', () => gc()?.targetBytes ?? 0)
    counter(registers, 'ipfs_kit_gc_runs_total', 'Automatic gc runs', () => gc()?.runs ?? 0)
    counter(registers, 'ipfs_kit_gc_failures_total', 'Automatic gc runs that failed (logged)', () => gc()?.failures ?? 0)
    gauge(registers, 'ipfs_kit_pinned_bytes', 'Bytes of the distinct blocks held by pins (a block shared by two pins counts once)', async () => (await repo()).pinnedBytes)
  }

  /**
   * The inference cache's figures: `ipfs_kit_cache_{hits,misses,remote_hits,evictions,expirations}_total`
   * (counters read from `stats()` at each scrape), `ipfs_kit_cache_entries`, `ipfs_kit_cache_bytes`.
   */
  watchCache (stats: () => CacheFigures, sharing?: () => SharingStats): void {
    this.cacheStats = stats
    this.sharingStats = sharing
  }

  /** The cache's figures now (zeros before the cache has started). */
  cacheFigures (): CacheFigures {
    return this.cacheStats?.() ?? { entries: 0, bytes: 0, hits: 0, misses: 0, remoteHits: 0, evictions: 0, expirations: 0 }
  }

  /** The hot tier's figures: `ipfs_kit_hot_tier_{hits,misses}_total`, `ipfs_kit_hot_tier_bytes`. */
  watchHot (stats: () => HotFigures): void {
    this.hotStats = stats
  }

  /** The cache's sharing figures now (undefined before the cache has started). */
  sharingFigures (): SharingStats | undefined {
    return this.sharingStats?.()
  }

  /** The automatic gc's figures (undefined until the kit has started it). */
  gcFigures (): GcFigures | undefined {
    return this.sources?.gc?.()
  }

  /** Where the gauges read their figures, once the parts of the kit they read exist (0 until then). */
  watch (sources: GaugeSources): void {
    this.sources = sources
  }

  /**
   * Run one operation, counting it, its outcome and its latency; `bytesOf`
   * gives the bytes it moved, `found` false marks a not-found outcome.
   */
  async measure<T>(operation: Operation, run: () => Promise<T>, result: { bytesOf?(value: T): number, found?(value: T): boolean } = {}): Promise<T> {
    const end = this.duration.startTimer({ operation })
    try {
      const value = await run()
      this.count(operation, result.found?.(value) === false ? 'not_found' : 'ok')
      this.addBytes(operation, result.bytesOf?.(value) ?? 0)
      return value
    } catch (err) {
      this.count(operation, 'error')
      throw err
    } finally {
      end()
    }
  }

  /** Start timing an operation whose end the caller reports (a stream). */
  start (operation: Operation): (outcome: Outcome, bytes: number) => void {
    const end = this.duration.startTimer({ operation })
    return (outcome, bytes) => {
      end()
      this.count(operation, outcome)
      this.addBytes(operation, bytes)
    }
  }

  /** A block came from peers (the network source's `onFetched`). */
  fetched (cid: CID, bytes: Uint8Array, peer?: string): void {
    if (peer != null) this.peerTraffic.received(peer, bytes.byteLength)
    const key = cid.toString()
    this.fetchedPending.set(key, (this.fetchedPending.get(key) ?? 0) + 1)
    this.tallies.networkFetches++
    this.tallies.networkBytes += bytes.byteLength
    this.fetchedBytes.inc(bytes.byteLength)
  }

  /** We sent `bytes` of blocks to `peer` (the transfer server's `onSent`). */
  sentTo (peer: string, bytes: number): void {
    this.peerTraffic.sent(peer, bytes)
  }

  /** A storage block read ended: local unless the network source reported fetching it. */
  blockRead (cid: CID, found: boolean): void {
    const origin = found ? this.takeFetched(cid) : 'missing'
    this.blockReads.inc({ source: origin })
    if (origin === 'local') this.tallies.cacheHits++
    else this.tallies.cacheMisses++
  }

  /** A snapshot of the counts. */
  counts (): OperationCounts {
    return structuredClone(this.tallies)
  }

  /** Every series in Prometheus' text format: this kit's, libp2p's, and the process's (processMetrics). */
  async prometheus (): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()])
    return own + process
  }

  /** The Content-Type of `prometheus()`. */
  get contentType (): string {
    return this.registry.contentType
  }

  private takeFetched (cid: CID): BlockOrigin {
    const key = cid.toString()
    const pending = this.fetchedPending.get(key)
    if (pending == null) return 'local'
    if (pending <= 1) this.fetchedPending.delete(key)
    else this.fetchedPending.set(key, pending - 1)
    return 'network'
  }

  private count (operation: Operation, outcome: Outcome): void {
    this.operationsTotal.inc({ operation, result: outcome })
    this.tallies.operations[operation]++
    if (outcome === 'error') this.tallies.errors++
  }

  private addBytes (operation: Operation, bytes: number): void {
    if (bytes <= 0) return
    this.bytesTotal.inc({ operation }, bytes)
    this.tallies.bytes[operation] = (this.tallies.bytes[operation] ?? 0) + bytes
  }

  /** One repo scan shared by the four repo gauges of a scrape (and scrapes close together). */
  private async repoSnapshot (): Promise<RepoFigures> {
    const sources = this.sources
    if (sources == null) return { blocks: 0, bytes: 0, pins: 0, pinnedBytes: 0 }
    const now = Date.now()
    if (this.snapshot == null || now - this.snapshot.at > METRICS_SNAPSHOT_TTL_MS) {
      const value = sources.repo()
      // a failed scan is not cached: the next scrape tries again
      value.catch(() => { if (this.snapshot?.value === value) this.snapshot = undefined })
      this.snapshot = { at: now, value }
    }
    return await this.snapshot.value
  }
}

/** A counter whose value is read at scrape time from a monotonic count kept elsewhere. */
function counter (registers: Registry[], name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect () {
      this.reset()
      this.inc(read())
    }
  })
}

function gauge (registers: Registry[], name: string, help: string, read: () => number | Promise<number>): void {
  new Gauge({
    name,
    help,
    registers,
    async collect () { this.set(await read()) }
  })
}
