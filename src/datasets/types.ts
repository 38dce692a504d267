/** Public types of the datasets API. */
import type { FindProvidersOptions, LocalRecord, NamedProvider } from '../named/index.ts'
import type { TransferProgressEvents } from '../transfer/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

export type { FindProvidersOptions }
export type DatasetProvider = NamedProvider
export type LocalDataset = LocalRecord & {
  /** Shards held here (all of them for a published dataset; a pulled share otherwise). */
  shards?: string[]
}

export interface DatasetPublishOptions extends AbortOptions, ProgressOptions<DatasetPublishProgressEvents> {
  /** `org/name`. */
  name: string
  /** @default 'main' */
  revision?: string
  /**
   * Split line-based files (`.jsonl`, `.csv`, `.txt`, and their `.ndjson`/`.tsv` cousins) larger than
   * this into shards of about this size at line boundaries (`<path>.shard-00000`, …). At least
   * DATASETS_MIN_SHARD_SIZE. Other files are always one shard each.
   */
  shardSize?: number
}

export type DatasetPublishProgressEvents =
  ProgressEvent<'datasets:publish:file', { path: string, size: number, reused: boolean, shards: number }>

export interface DatasetPublishResult {
  name: string
  revision: string
  /** CID of the signed manifest. */
  root: string
  /** Shards in the manifest. */
  shards: number
  bytes: number
  /** Source files imported by this publish; the rest were unchanged and kept their CIDs. */
  storedFiles: number
  reusedFiles: number
}

/** One member's part of a dataset: `rank` of `world`, or a member of an elastic `group`. */
export interface ShareOptions {
  rank?: number
  world?: number
  /** An elastic group: members find each other over gossip; the plan uses the live members. */
  group?: string
}

export interface PlanOptions extends AbortOptions {
  rank: number
  world: number
  revision?: string
  /** How long to look for providers when the manifest is not here. @default MODEL_FIND_TIMEOUT_MS */
  findTimeoutMs?: number
}

export interface PlannedShard {
  path: string
  size: number
  cid: string
  sha256: string
  records?: number
}

export interface DatasetPlan {
  name: string
  revision: string
  root: string
  rank: number
  world: number
  shards: PlannedShard[]
  /** Bytes of this rank's shards. */
  bytes: number
}

export interface DatasetPullOptions extends AbortOptions, ShareOptions, ProgressOptions<DatasetPullProgressEvents> {
  revision?: string
  /** Write the shards here, under their published paths. */
  dest?: string
  /** Replace files in `dest` this pull did not write. @default false */
  force?: boolean
  /** Per-block wait for providers before a shard counts as incomplete. @default MODEL_PULL_BLOCK_TIMEOUT_MS */
  blockTimeoutMs?: number
  /** @default MODEL_FIND_TIMEOUT_MS */
  findTimeoutMs?: number
  /** @default MODEL_MANIFEST_TIMEOUT_MS */
  manifestTimeoutMs?: number
  /** Group mode: a member not heard for this long is gone. @default config `datasets.member_grace` */
  memberGraceMs?: number
}

export type DatasetPullProgressEvents =
  ProgressEvent<'datasets:pull:manifest', { root: string, files: number, bytesTotal: number }> |
  ProgressEvent<'datasets:pull:progress', { bytesDone: number, bytesTotal: number, rate: number, peers: number, file?: string }> |
  ProgressEvent<'datasets:pull:file', { path: string, size: number }> |
  ProgressEvent<'datasets:group:members', { members: string[] }> |
  TransferProgressEvents

export interface DatasetPullResult {
  name: string
  revision: string
  root: string
  /** The shards this member pulled (its share; in group mode every share it ended up with). */
  shards: string[]
  bytes: number
  fetchedBytes: number
  providers: string[]
  dest?: string
  /** Group mode: the members the last plan was made over. */
  members?: string[]
}

export interface StreamOptions extends AbortOptions {
  rank: number
  world: number
  /** @default 0 */
  epoch?: number
  /** Shuffles the shard order per epoch (never which shards a rank gets). @default 0 */
  seed?: number
  revision?: string
  /** Resume exactly where `state()` was taken. */
  state?: StreamState
  /** Shards fetched ahead of the one being consumed. @default config `datasets.prefetch` */
  prefetch?: number
  /** Bytes of shards this stream keeps pinned; consumed shards are unpinned first beyond it (0: no limit). @default config `datasets.max_bytes` */
  maxBytes?: number
  /** @default MODEL_PULL_BLOCK_TIMEOUT_MS */
  blockTimeoutMs?: number
  /** @default MODEL_FIND_TIMEOUT_MS */
  findTimeoutMs?: number
  /** @default MODEL_MANIFEST_TIMEOUT_MS */
  manifestTimeoutMs?: number
}

/** Where a stream stands: small, JSON, enough to resume with no record repeated or skipped. */
export interface StreamState {
  v: 1
  name: string
  revision: string
  root: string
  rank: number
  world: number
  epoch: number
  seed: number
  /** Position in this epoch's shard order of the shard being read. */
  shard: number
  /** Records (or whole shards: 0/1) of that shard already yielded. */
  record: number
}

export interface StreamItem {
  /** The shard's published path. */
  path: string
  /** Record index within the shard (0 for a whole shard). */
  index: number
  /** A line-based shard's record, without its newline. */
  record?: string
  /** The shard's CID and size (a whole shard: read it with `kit.storage.stream(cid)`). */
  cid: string
  size: number
}

export interface DatasetStream extends AsyncIterable<StreamItem> {
  state(): StreamState
}
