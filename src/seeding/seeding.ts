/**
 * `Seeding` (`kit.seeding`): the node's access statistics per root, persisted,
 * and the popularity-driven pins made from them (auto-pin.ts). Reads are
 * noted synchronously and cheaply (a Map update); the disk sees them in one
 * batch every SEEDING_STATS_FLUSH_MS and at stop.
 */
import { logger } from '@libp2p/logger'
import { SEEDING_MAX_TRACKED_ROOTS, SEEDING_STATS_FLUSH_MS } from '../constants.ts'
import { AccessStats } from './access-stats.ts'
import { flushStats, loadStats } from './stats-store.ts'
import { AutoPin } from './auto-pin.ts'
import type { AutoPinComponents } from './auto-pin.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { Replicator } from './replication/index.ts'
import { PinService } from './pin-service/index.ts'
import { parseReplicas } from '../pins/index.ts'
import type { PreheatResult, ReplicationEntry, ReplicatorComponents } from './replication/index.ts'
import { CustomProgressEvent } from 'progress-events'
import type { PreheatOptions } from './types.ts'
import { InvalidInputError, OfflineError } from '../errors.ts'
import { tagsProblem } from '../config/index.ts'
import type { RootAccess } from './access-stats.ts'
import type { SeedingSettings, SeedingStats, SeedingStatsOptions } from './types.ts'
import type { Lifecycle } from '../lifecycle.ts'
import type { MetaStore } from '../repo/index.ts'

const log = logger('ipfs-kit:seeding')

export interface SeedingComponents {
  meta: MetaStore
  /** What auto-pin pins with; without it nothing is auto-pinned. */
  pinning?: Omit<AutoPinComponents, 'meta' | 'access' | 'now'>
  /** What replication runs on; absent offline (no replication). */
  replication?: Omit<ReplicatorComponents, 'meta' | 'now' | 'score'>
  /** The kit's life: calls after stop() raise KitStoppedError. @default always running */
  lifecycle?: Lifecycle
  now?(): number
}

/** Something that reacts to a root's reads (auto-pin). */
export interface ReadObserver {
  /** `recentReads`: the root's reads within `seeding.auto_pin_window`, this one included. */
  onRead(cid: string, recentReads: number): void
}

export class Seeding {
  readonly access: AccessStats
  private timer: ReturnType<typeof setInterval> | undefined
  private flushing: Promise<void> = Promise.resolve()
  private observer: ReadObserver | undefined
  /** @internal */
  readonly autoPin: AutoPin | undefined
  private readonly replicator: Replicator | undefined
  /** The Pinning Service API's requests (served on the RPC port as `/pins`); absent without pinning. */
  readonly pinService: PinService | undefined
  private readsNoted = 0
  private servedNoted = 0

  constructor (private readonly c: SeedingComponents, readonly settings: SeedingSettings) {
    this.access = new AccessStats({ halfLifeMs: settings.half_life, maxRoots: SEEDING_MAX_TRACKED_ROOTS, recentReads: settings.auto_pin_reads, now: c.now })
    if (c.pinning != null) {
      this.autoPin = new AutoPin({ ...c.pinning, meta: c.meta, access: this.access, now: c.now }, settings)
      this.observer = this.autoPin
    }
    if (c.replication != null) this.replicator = new Replicator({ ...c.replication, meta: c.meta, now: c.now, score: cid => this.access.get(cid)?.score ?? 0 }, settings)
    if (c.pinning != null) {
      const libp2p = c.replication?.libp2p
      this.pinService = new PinService({
        meta: c.meta,
        storage: c.pinning.storage,
        dial: libp2p == null ? undefined : async (address, signal) => { await libp2p.dial(multiaddr(address), { signal }) },
        replications: () => this.replicator?.list() ?? [],
        defaultReplicas: settings.service_replicas,
        lifecycle: c.lifecycle,
        now: c.now
      })
    }
  }

  async start (): Promise<void> {
    await loadStats(this.c.meta, this.access)
    await this.autoPin?.start()
    await this.replicator?.start()
    await this.pinService?.start()
    this.timer = setInterval(() => { void this.flush() }, SEEDING_STATS_FLUSH_MS)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    if (this.timer != null) clearInterval(this.timer)
    await this.pinService?.stop()
    await this.replicator?.stop()
    await this.autoPin?.stop()
    await this.flush()
  }

  /**
   * Note a local read of a root (a CID string). The storage API notes its own reads; a face that
   * reads through `storage.blocks()` (the gateway, RPC `get`) notes the root it served.
   *
   * @example
   * kit.seeding.noteRead(cid)
   */
  noteRead (cid: string): void {
    if (this.c.lifecycle?.stopped === true) return
    this.readsNoted++
    const recent = this.access.noteRead(cid, this.settings.auto_pin_window)
    this.observer?.onRead(cid, recent)
  }

  /** Note a block served to a peer: counted for its root when the block is a tracked root. */
  noteServed (cid: string): void {
    if (this.c.lifecycle?.stopped === true) return
    if (this.access.noteServed(cid)) this.servedNoted++
  }

  /** Roots pinned only as `auto` and their bytes, without listing the statistics (the status page asks on every poll). */
  autoPinFigures (): SeedingStats['autoPins'] {
    return this.autoPin?.figures() ?? { roots: 0, bytes: 0, skipped: 0 }
  }

  /**
   * The tracked roots, hottest first (`limit` of them), with their reads, fetches by peers and
   * decayed score.
   *
   * @example
   * const { roots } = kit.seeding.stats({ limit: 10 })
   */
  stats (options: SeedingStatsOptions = {}): SeedingStats {
    this.c.lifecycle?.assertRunning('seeding.stats')
    const all = this.access.list()
    const roots: RootAccess[] = options.limit == null ? all : all.slice(0, options.limit)
    const autoPins = this.autoPinFigures()
    return { halfLifeMs: this.settings.half_life, tracked: all.length, readsNoted: this.readsNoted, servedNoted: this.servedNoted, autoPins, roots: roots.map(r => ({ ...r, autoPinned: this.autoPin?.isAutoPinned(r.cid) ?? false })) }
  }

  /**
   * Drop the `auto` origin of auto pins not read for `seeding.auto_unpin_after` now (it also runs
   * on its own); the roots whose auto pin went.
   */
  async sweep (): Promise<string[]> {
    this.c.lifecycle?.assertRunning('seeding.sweep')
    return await this.autoPin?.sweep() ?? []
  }

  /**
   * Ask the cluster to keep `cid` — pinned here already — on `replicas` live holders (`N`,
   * `'MIN:MAX'` or `{ min, max }`). What `storage.pin(cid, { replicas })` calls after its pin.
   *
   * @throws InvalidInputError for replicas out of 1 ≤ min ≤ max ≤ SEEDING_MAX_REPLICAS
   * @throws OfflineError offline
   */
  async replicate (cid: string, replicas: unknown): Promise<void> {
    let counts: { min: number, max: number }
    try {
      counts = parseReplicas(replicas)
    } catch (err: any) {
      throw new InvalidInputError(err.message, 'give --replicas N (exactly N holders) or MIN:MAX, e.g. 2:4')
    }
    this.c.lifecycle?.assertRunning('seeding.replicate')
    if (this.replicator == null) throw new OfflineError('replicate')
    await this.replicator.replicate(cid, counts)
  }

  /**
   * Every replication this node knows of: `{ cid, min, max, holders, state }`, state `ok`,
   * `under`, `over` or `repairing` (a holder silent within `seeding.repin_grace`, or a pin on its way).
   *
   * @example
   * kit.seeding.replications() // [{ cid: 'bafy…', min: 3, max: 3, holders: ['12D3…', …], state: 'ok' }]
   */
  replications (): ReplicationEntry[] {
    this.c.lifecycle?.assertRunning('seeding.replications')
    return this.replicator?.list() ?? []
  }

  /**
   * Make members of the cluster pull (and so pin) a model — or with `kind: 'dataset'` a dataset —
   * now: `peers` is `'all'`, a count `N`, or a share `'P%'` of the live members (with every
   * `tags` pair, most free space first). A member refuses one whose manifest is over its
   * `seeding.replica_max_bytes` or free space. Resolves to each member's outcome;
   * `seeding:preheat:peer` progress events come as they answer.
   *
   * @throws InvalidInputError for a bad `peers` or `tags`
   * @throws OfflineError offline
   * @example
   * await kit.seeding.preheat('acme/bert', { peers: '50%', tags: { zone: 'a' } })
   */
  async preheat (name: string, options: PreheatOptions = {}): Promise<PreheatResult[]> {
    const peers = options.peers ?? 'all'
    const match = /^(all|[1-9]\d{0,4}|([1-9]\d?|100)%)$/.exec(String(peers))
    if (match == null) throw new InvalidInputError(`peers must be all, N or P%, got ${JSON.stringify(peers)}`, 'e.g. --peers all, --peers 3 or --peers 50%')
    const tags = options.tags ?? {}
    const problem = tagsProblem(tags)
    if (problem != null) throw new InvalidInputError(`tags: ${problem}`, 'e.g. --tag zone=a')
    const kind = options.kind ?? 'model'
    if (kind !== 'model' && kind !== 'dataset') throw new InvalidInputError(`kind must be model or dataset, got ${JSON.stringify(kind)}`, 'kind: \'model\' or \'dataset\'')
    this.c.lifecycle?.assertRunning('seeding.preheat')
    options.signal?.throwIfAborted()
    if (this.replicator == null) throw new OfflineError('preheat')
    const members = this.replicator.liveMembersTagged(tags)
    const text = String(peers)
    const count = text === 'all' ? 'all' : text.endsWith('%') ? Math.ceil(members * Number(text.slice(0, -1)) / 100) : Number(text)
    const total = count === 'all' ? members : Math.min(count, members)
    let done = 0
    return await this.replicator.preheat({ kind, name, revision: options.revision, count, tags }, result => {
      done++
      options.onProgress?.(new CustomProgressEvent('seeding:preheat:peer', { ...result, done, total }))
    })
  }

  /** Resolves once the auto pins asked for so far are made (or skipped). */
  async settled (): Promise<void> {
    await this.autoPin?.settled()
  }

  /** Write what changed since the last flush (one at a time). */
  async flush (): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      try {
        await flushStats(this.c.meta, this.access)
      } catch (err: any) {
        log.error('could not write access statistics - %e', err)
      }
    })
    await this.flushing
  }
}
