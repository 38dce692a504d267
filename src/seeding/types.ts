/** Public types of popularity-driven seeding (kit.seeding). */
import type { RootAccess } from './access-stats.ts'
import type { KitConfig } from '../config/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

/** Config `ipfs_kit.seeding` (durations in ms, sizes in bytes). */
export type SeedingSettings = KitConfig['ipfs_kit']['seeding']

export interface SeedingStatsOptions {
  /** The hottest this many roots. @default every tracked root (at most SEEDING_MAX_TRACKED_ROOTS) */
  limit?: number
}

export interface SeedingStats {
  /** `seeding.half_life`: each root's score halves in this many ms without access. */
  halfLifeMs: number
  /** Roots tracked now. */
  tracked: number
  /** Local reads noted since start. */
  readsNoted: number
  /** Fetches of tracked roots by peers noted since start. */
  servedNoted: number
  /** Roots auto-pinned here now, their bytes (at most `seeding.auto_pin_max_bytes`), and crossings not pinned since start. */
  autoPins: { roots: number, bytes: number, skipped: number }
  /** Hottest first; `autoPinned`: pinned here with origin `auto`. */
  roots: Array<RootAccess & { autoPinned: boolean }>
}

export type PreheatProgressEvents = ProgressEvent<'seeding:preheat:peer', { peerId: string, ok: boolean, error?: string, done: number, total: number }>

export interface PreheatOptions extends AbortOptions, ProgressOptions<PreheatProgressEvents> {
  /** `'all'` live members, a count `N` (`3` or `'3'`), or a share `'P%'`. @default 'all' */
  peers?: string | number
  /** @default the revision the providers hold, `main` first */
  revision?: string
  /** What to pull: a model (pinned as `model`) or a dataset, whole (pinned as `dataset`). @default 'model' */
  kind?: 'model' | 'dataset'
  /** Only members whose `node.tags` include every pair, e.g. `{ zone: 'a' }`. @default {} */
  tags?: Record<string, string>
}
