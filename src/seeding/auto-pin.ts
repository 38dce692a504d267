/**
 * Auto-pin: a root read `auto_pin_reads` times within `auto_pin_window` is
 * pinned here with origin `auto` as soon as the crossing read is noted (one
 * pin at a time, from a bounded queue), then provided to the cluster; an auto
 * pin not read for `auto_unpin_after` loses its origin. Only roots not pinned
 * already are auto-pinned, and the bytes they hold never pass
 * `auto_pin_max_bytes`: a root is measured before (its UnixFS size) and after
 * (its distinct blocks) the pin, and one over the budget is unpinned again.
 * What was auto-pinned is recorded under `/ipfs-kit/seeding/auto/<cid>`.
 */
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { SEEDING_AUTO_PIN_QUEUE, SEEDING_AUTO_SWEEP_MS, WALK_HAS_CONCURRENCY } from '../constants.ts'
import { keyToCid } from '../blocks/index.ts'
import { decodeJson, encodeJson } from '../repo/index.ts'
import type { ReadObserver } from './seeding.ts'
import type { AccessStats } from './access-stats.ts'
import type { SeedingSettings } from './types.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { PinIndex } from '../pins/index.ts'
import type { MetaStore } from '../repo/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'

const log = logger('ipfs-kit:seeding:auto-pin')
const PREFIX = '/ipfs-kit/seeding/auto/'

export interface AutoPinComponents {
  meta: MetaStore
  storage: Pick<IPFSKitStorage, 'pin' | 'unpin' | 'size'>
  pins: PinIndex
  blockstore: Pick<FsBlockstore, 'sizeOf'>
  access: AccessStats
  /** Tell the cluster we provide `cid` (content routing); absent offline. */
  provide?(cid: CID): Promise<void>
  now?(): number
}

interface AutoRecord {
  /** Bytes of the root's distinct blocks when it was pinned. */
  bytes: number
  /** When it was pinned, ms since the epoch. */
  pinned: number
}

/** What `seeding stats` shows of the auto pins. */
export interface AutoPinFigures {
  roots: number
  bytes: number
  /** Crossings not pinned since start: over the byte budget, the queue full, or the content unavailable. */
  skipped: number
}

export class AutoPin implements ReadObserver {
  private readonly records = new Map<string, AutoRecord>()
  private readonly queue: string[] = []
  private readonly queued = new Set<string>()
  private working: Promise<void> | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly controller = new AbortController()
  private skipped = 0
  private readonly now: () => number

  constructor (private readonly c: AutoPinComponents, private readonly settings: SeedingSettings) {
    this.now = c.now ?? Date.now
  }

  async start (): Promise<void> {
    for await (const [key, value] of this.c.meta.entries(PREFIX)) {
      try {
        this.records.set(key.slice(PREFIX.length), decodeJson<AutoRecord>(value))
      } catch {
        await this.c.meta.batch([{ type: 'del', key }])
      }
    }
    const interval = Math.max(100, Math.min(SEEDING_AUTO_SWEEP_MS, Math.floor(this.settings.auto_unpin_after / 4)))
    this.timer = setInterval(() => { void this.sweep().catch(err => { log.error('auto-pin sweep failed - %e', err) }) }, interval)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    if (this.timer != null) clearInterval(this.timer)
    this.controller.abort()
    this.queue.length = 0
    await this.working
  }

  figures (): AutoPinFigures {
    let bytes = 0
    for (const record of this.records.values()) bytes += record.bytes
    return { roots: this.records.size, bytes, skipped: this.skipped }
  }

  /** True when `cid` is pinned here as `auto` (and so counts toward the budget). */
  isAutoPinned (cid: string): boolean {
    return this.records.has(cid)
  }

  onRead (cid: string, recentReads: number): void {
    if (!this.settings.auto_pin || recentReads < this.settings.auto_pin_reads) return
    if (this.records.has(cid) || this.queued.has(cid)) return
    if (this.queue.length >= SEEDING_AUTO_PIN_QUEUE) {
      this.skipped++
      return
    }
    this.queue.push(cid)
    this.queued.add(cid)
    this.working ??= this.drain().finally(() => { this.working = undefined })
  }

  /** Wait until the roots queued so far are pinned (or skipped). */
  async settled (): Promise<void> {
    while (this.working != null) await this.working
  }

  private async drain (): Promise<void> {
    for (let cid = this.queue.shift(); cid != null; cid = this.queue.shift()) {
      try {
        await this.pinOne(cid)
      } catch (err: any) {
        this.skipped++
        if (!this.controller.signal.aborted) log('could not auto-pin %s - %e', cid, err)
      } finally {
        this.queued.delete(cid)
      }
    }
  }

  private async pinOne (cid: string): Promise<void> {
    const signal = this.controller.signal
    const root = CID.parse(cid)
    // pinned already, for any reason: nothing to add, nothing to spend
    if (await this.c.pins.isPinned(root)) return
    const left = this.settings.auto_pin_max_bytes - this.figures().bytes
    if (await this.c.storage.size(cid, { signal }).catch(() => 0) > left) {
      this.skipped++
      log('not auto-pinning %s: over seeding.auto_pin_max_bytes', cid)
      return
    }
    if (!await this.c.storage.pin(cid, { origin: 'auto', signal })) {
      this.skipped++
      return
    }
    const bytes = await this.bytesOf(root)
    if (bytes > left) {
      await this.c.storage.unpin(cid, { origin: 'auto' })
      this.skipped++
      log('auto-pin of %s undone: %d bytes, over seeding.auto_pin_max_bytes', cid, bytes)
      return
    }
    const record: AutoRecord = { bytes, pinned: this.now() }
    this.records.set(cid, record)
    await this.c.meta.batch([{ type: 'put', key: PREFIX + cid, value: encodeJson(record) }])
    log('auto-pinned %s (%d bytes)', cid, bytes)
    // in the background: the routing layer may take a while, the next root should not wait
    this.c.provide?.(root).catch(err => { log('could not provide %s - %e', cid, err) })
  }

  /** Bytes of the distinct blocks the pin on `root` holds. */
  private async bytesOf (root: CID): Promise<number> {
    const keys = await this.c.pins.blocksOf(root) ?? []
    let bytes = 0
    for (let i = 0; i < keys.length; i += WALK_HAS_CONCURRENCY) {
      const sizes = await Promise.all(keys.slice(i, i + WALK_HAS_CONCURRENCY).map(async key => await this.c.blockstore.sizeOf(keyToCid(key))))
      for (const size of sizes) bytes += size ?? 0
    }
    return bytes
  }

  /**
   * Drop the `auto` origin of roots not read for `auto_unpin_after`, and forget records whose
   * pin lost that origin otherwise (a user's `pin rm`, eviction under disk pressure).
   */
  async sweep (): Promise<string[]> {
    const now = this.now()
    const dropped: string[] = []
    for (const [cid, record] of [...this.records]) {
      const origins = (await this.c.pins.get(CID.parse(cid)))?.origins
      const idle = now - (this.c.access.lastRead(cid) ?? record.pinned) > this.settings.auto_unpin_after
      if (origins?.includes('auto') === true && !idle) continue
      if (origins?.includes('auto') === true) await this.c.storage.unpin(cid, { origin: 'auto' })
      this.records.delete(cid)
      await this.c.meta.batch([{ type: 'del', key: PREFIX + cid }])
      dropped.push(cid)
    }
    return dropped
  }
}
