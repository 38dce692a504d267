/** Public types of the models API. */
import type { AbortOptions } from '@libp2p/interface'
import type { TransferProgressEvents } from '../transfer/index.ts'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

export interface PublishOptions extends AbortOptions, ProgressOptions<PublishProgressEvents> {
  /** Hugging Face style `org/name`. */
  name: string
  /** @default 'main' */
  revision?: string
}

export interface PublishResult {
  name: string
  revision: string
  /** CID of the manifest: pinning it pins the whole model. */
  root: string
  files: number
  bytes: number
  /** Files imported by this publish (the rest were unchanged since the last publish and kept their CIDs). */
  storedFiles: number
  reusedFiles: number
}

export type PublishProgressEvents =
  ProgressEvent<'models:publish:file', { path: string, size: number, reused: boolean }>

export type { ProviderSource, FindProvidersOptions } from '../named/index.ts'
/** A provider of a model. */
export type { NamedProvider as ModelProvider } from '../named/index.ts'

export interface PullOptions extends AbortOptions, ProgressOptions<PullProgressEvents> {
  /** @default the revision providers hold, `main` first */
  revision?: string
  /** Write the files here, under their relative paths. */
  dest?: string
  /**
   * Replace files in `dest` that this model did not write (content other than the manifest's);
   * without it such a file fails the pull with DestinationExistsError before anything is written.
   * @default false
   */
  force?: boolean
  /** Also materialise the Hugging Face cache layout (`$HF_HUB_CACHE` or `~/.cache/huggingface/hub`), or under the given directory. */
  hfCache?: boolean | string
  /** Per-block wait for providers before a file counts as incomplete. @default MODEL_PULL_BLOCK_TIMEOUT_MS */
  blockTimeoutMs?: number
  /** How long to look for providers. @default MODEL_FIND_TIMEOUT_MS */
  findTimeoutMs?: number
  /** How long to wait for each candidate's manifest. @default MODEL_MANIFEST_TIMEOUT_MS */
  manifestTimeoutMs?: number
}

export interface YankOptions extends AbortOptions {
  /** @default 'main' */
  revision?: string
}

export interface YankResult {
  name: string
  revision: string
  /** CID of the signed tombstone now announced for the revision. */
  root: string
  publisher: string
}

export interface PullProgress {
  bytesDone: number
  bytesTotal: number
  /** Bytes per second since the pull started. */
  rate: number
  /** Providers connected and used. */
  peers: number
  file?: string
}

export type PullProgressEvents =
  ProgressEvent<'models:pull:manifest', { root: string, files: number, bytesTotal: number }> |
  ProgressEvent<'models:pull:progress', PullProgress> |
  ProgressEvent<'models:pull:file', { path: string, size: number }> |
  TransferProgressEvents

export interface PullResult {
  name: string
  revision: string
  root: string
  files: number
  bytes: number
  /** Bytes that had to come from peers (the rest were already local). */
  fetchedBytes: number
  providers: string[]
  dest?: string
  /** The snapshot directory in the Hugging Face cache, when asked for. */
  hfSnapshot?: string
}

/** A model this node holds. */
export type { LocalRecord as LocalModel } from '../named/index.ts'
