/** Public types of the storage API (the seed plan's IPFSKitStorage). */
import type { Hold, PinOrigin } from '../pins/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

export type StoreProgressEvents =
  ProgressEvent<'storage:store:chunk', { bytes: number, total: number | undefined }> |
  ProgressEvent<'storage:store:pinned', { cid: string }> |
  ProgressEvent<'storage:backend-failed', { backend: BackendName, cid: string, error: Error }>

/** Where `store` puts content: `local` the warm disk, `ipfs` announced to the network, `s3` the cold tier, `filecoin` an adapter's deals. */
export type BackendName = 'local' | 'ipfs' | 's3' | 'filecoin'

/** One backend's health: `healthy` false with the last failure's one-line `error`. */
export interface BackendHealth {
  enabled: boolean
  healthy: boolean
  error?: string
  /** s3: the endpoint and bucket. */
  endpoint?: string
  bucket?: string
}

export interface StoreOptions extends AbortOptions, ProgressOptions<StoreProgressEvents> {
  /** Name recorded in the file index (shown by `listFiles`). */
  filename?: string
  /** Pin the content. @default config `storage_policy.pin_by_default` */
  pin?: boolean
  /** Keep the content from gc under this temporary hold (see `storage.hold()`) from its first block on. */
  hold?: Hold
  /**
   * Record the content in the file index (`listFiles`, the filename → CID map, eviction's LRU order).
   * `false` for content another index owns and holds (the inference cache's values). @default true
   */
  listed?: boolean
  /**
   * Backends to put the content on. With `local`, blocks are written to the warm disk first, and
   * a backend that fails does not fail the store: a `storage:backend-failed` event names it,
   * `status().backendHealth` shows it, and the content stays where it got (on disk when `s3`
   * failed). With `s3` alone, the import goes straight into the cold tier's packs (never to
   * disk): a failed upload then fails the store (S3UnavailableError, S3AccessDeniedError), as there
   * is no other copy. @default config `storage_policy.default_backends`
   */
  backends?: BackendName[]
}

export interface RetrieveOptions extends AbortOptions {
  /** Longest wait for one block from peers. @default DEFAULT_FETCH_TIMEOUT_MS */
  timeoutMs?: number
  /** Hold every block read or fetched until the hold is released. */
  hold?: Hold
}

export interface StreamOptions extends AbortOptions {
  /** First byte. @default 0 */
  offset?: number
  /** Number of bytes. @default to the end */
  length?: number
}

export interface FileEntry {
  cid: string
  filename: string | null
  /** Bytes. */
  size: number
  /** Last stored, ms since the epoch. */
  modified: number
  pinned: boolean
}

export interface BackendStatus {
  /** The libp2p node is running (false offline). */
  ipfsKitAvailable: boolean
  /** Offline mode: no libp2p. */
  usingFallback: boolean
  cacheDir: string
  peerId: string
  /** Open peer connections. */
  peers: number
  backends: { local: boolean, ipfs: boolean, s3: boolean, filecoin: boolean }
  /** Each backend's health: the last failure of a store to it, or of the cold tier's bucket. */
  backendHealth: Record<BackendName, BackendHealth>
  /** The hot tier (memory) and the cold tier (S3 packs, from the local index; absent when not enabled). */
  tiers: {
    hot: { bytes: number, blocks: number, capacity: number, hits: number, misses: number }
    cold?: { packs: number, blocks: number, bytes: number, quarantined: number, requests: { get: number, put: number, list: number, delete: number } }
  }
  /**
   * `pinnedBytes`: bytes of the distinct blocks held by at least one pin (a block two pins share
   * counts once; unpinned files and blocks held only during an import do not count).
   * `quarantined`: blocks that failed their hash on read since the node started (moved to `<dataDir>/quarantine`).
   */
  repo: { blocks: number, bytes: number, pins: number, pinnedBytes: number, quarantined: number }
}

export interface PinEntry {
  cid: string
  /** When it was pinned, ms since the epoch. */
  created: number
  /** Distinct blocks the pin holds. */
  blocks: number
  /** Why it is pinned (`user`, `auto`, `replica`, `model`, `dataset`); pinned while one is left. */
  origins: PinOrigin[]
}

export interface PinOptions extends AbortOptions {
  /** Why it is pinned: added to the pin's origins. @default 'user' */
  origin?: PinOrigin
  /**
   * Also have the cluster keep the root on this many live holders: `N` (exactly N, this node
   * included), `'MIN:MAX'` or `{ min, max }`. A `pin rm` here ends it cluster-wide.
   */
  replicas?: number | string | { min: number, max: number }
}

export interface UnpinOptions {
  /** Remove only this origin; the root stays pinned while another is left. @default every origin (the pin goes) */
  origin?: PinOrigin
}

export interface BlockSourceOptions {
  /** Longest wait for one block from peers. @default DEFAULT_FETCH_TIMEOUT_MS (the storage API's own source) */
  timeoutMs?: number
  /** Hold every block read or fetched through the source until the hold is released. */
  hold?: Hold
  /** This node's blocks only: a missing block is NotFoundError at once, never asked of peers. @default false */
  local?: boolean
}

export interface PutBlockOptions extends AbortOptions {
  /** Pin the block (recursively: the DAG under it must be complete). @default false */
  pin?: boolean
  /** Why it is pinned, with `pin`. @default 'user' */
  origin?: PinOrigin
  /** Keep the block from gc under this hold until it is released. */
  hold?: Hold
}
