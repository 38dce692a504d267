/**
 * `KitOperations`: the operations the CLI runs, as one interface with two
 * implementations — `localOperations(kit)` over a Kit in this process, and
 * the control client over a daemon's socket — so a command never asks which
 * one it has.
 */
import { writeDirect } from './fd-writer.ts'
import { saveFile } from './save-file.ts'
import type { DatasetPlan, DatasetProvider, DatasetPublishResult, DatasetPullOptions, DatasetPullResult, LocalDataset } from '../index.ts'
import type { BackendName, BackendStatus, PreheatOptions, PreheatResult, ReplicationEntry, SeedingStats, TierName, TierSizes, CacheEntryInfo, CacheStats, FileEntry, GcResult, Kit, LocalModel, ModelProvider, PublishResult, PullOptions, PullResult, StoreProgressEvents, VerifyResult, YankResult } from '../index.ts'
import type { Sink } from './fd-writer.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressOptions } from 'progress-events'

export interface IdResult {
  peerId: string
  /** The data directory's publisher id (did:key), which signs the models it publishes. */
  publisher: string
  /** Listen addresses with the peer id; empty offline. */
  addresses: string[]
}

/** A file on this machine (streamed, never read whole), or a byte stream such as stdin. */
export type AddInput = { path: string } | AsyncIterable<Uint8Array>

export interface AddOptions extends AbortOptions, ProgressOptions<StoreProgressEvents> {
  /** Name recorded in the file index. */
  filename?: string
  /** Pin the content. @default config `storage_policy.pin_by_default` */
  pin?: boolean
  /** Backends to store on (`local`, `ipfs`, `s3`). @default config `storage_policy.default_backends` */
  backends?: BackendName[]
}

export interface AddResult {
  cid: string
  /** Bytes imported. */
  size: number
  /** Backends that failed (`storage:backend-failed`), each with its error's one line; absent when none did. */
  failedBackends?: Array<{ backend: BackendName, error: string }>
}

export interface CatOptions extends AbortOptions {
  /** First byte. @default 0 */
  offset?: number
  /** Number of bytes. @default to the end */
  length?: number
}

export interface SaveOptions extends AbortOptions {
  /** Mode of the new file (the caller's `0o666 & ~umask`), whatever the umask of the process that writes it. @default 0o644 */
  mode?: number
}

export interface SaveResult {
  /** The absolute path written. */
  path: string
  /** Bytes written. */
  size: number
}

export interface PinEntry {
  cid: string
  /** When the pin was made, ms since the epoch. */
  created: number
  /** Distinct blocks the pin holds. */
  blocks: number
  /** Why it is pinned (`user`, `auto`, `replica`, `model`, `dataset`). */
  origins: string[]
}

export interface KitOperations {
  id(options?: AbortOptions): Promise<IdResult>
  add(input: AddInput, options?: AddOptions): Promise<AddResult>
  /** The file's bytes (or a range), streamed. */
  cat(cid: string, options?: CatOptions): AsyncIterable<Uint8Array>
  /**
   * The file's bytes (or a range) written to `dest` (stdout), to its file
   * descriptor directly when it has one. False when the reader went away
   * (EPIPE). Through a daemon, the cheapest way to move a file to this process.
   */
  catTo(cid: string, dest: Sink, options?: CatOptions): Promise<boolean>
  /**
   * Save the file at `path`, an absolute path on this machine, whole or not at
   * all. Through a daemon, the daemon writes it: check beforehand that the
   * caller may write there.
   */
  save(cid: string, path: string, options?: SaveOptions): Promise<SaveResult>
  ls(options?: AbortOptions): Promise<FileEntry[]>
  /** False when the content is not available. `replicas` (`N` or `MIN:MAX`): the cluster keeps that many live holders. */
  pinAdd(cid: string, options?: AbortOptions & { replicas?: string }): Promise<boolean>
  /** False when `cid` was not pinned. */
  pinRm(cid: string, options?: AbortOptions): Promise<boolean>
  pinLs(options?: AbortOptions): Promise<PinEntry[]>
  /** False when there was nothing to delete. */
  rm(cid: string, options?: AbortOptions): Promise<boolean>
  gc(options?: AbortOptions): Promise<GcResult>
  /** Hash every block; with `repair`, fetch corrupt and missing ones again from peers. */
  verify(options?: AbortOptions & { repair?: boolean }): Promise<VerifyResult>
  status(options?: AbortOptions): Promise<BackendStatus>
  /** Move a root to a tier (`to`), or with no `to` only report the bytes each tier holds of it. */
  tier(cid: string, options?: AbortOptions & { to?: TierName }): Promise<TierSizes>
  /** Publish a model directory (a path on this machine). */
  modelPublish(dir: string, options: AbortOptions & { name: string, revision?: string }): Promise<PublishResult>
  modelProviders(name: string, options?: AbortOptions & { revision?: string, timeoutMs?: number }): Promise<ModelProvider[]>
  /** Pull a model; `dest` and a string `hfCache` are paths on this machine. */
  modelPull(name: string, options?: Pick<PullOptions, 'revision' | 'dest' | 'hfCache' | 'force' | 'signal' | 'onProgress'>): Promise<PullResult>
  modelList(options?: AbortOptions): Promise<LocalModel[]>
  /** Publish a signed tombstone for `name@revision`. */
  modelYank(name: string, options?: AbortOptions & { revision?: string }): Promise<YankResult>
  /** Trust `publisher` for `org`; the org's recorded publishers after. */
  modelTrust(org: string, publisher: string, options?: AbortOptions): Promise<string[]>
  modelUntrust(org: string, publisher: string, options?: AbortOptions): Promise<string[]>
  /** Every org's trusted publishers, configured or recorded. */
  modelTrusted(options?: AbortOptions): Promise<TrustEntry[]>
  /** Publish a dataset directory (a path on this machine). */
  datasetPublish(dir: string, options: AbortOptions & { name: string, revision?: string, shardSize?: number }): Promise<DatasetPublishResult>
  datasetPlan(name: string, options: AbortOptions & { rank: number, world: number, revision?: string }): Promise<DatasetPlan>
  /** Pull a share (rank/world or group); `dest` is a path on this machine. */
  datasetPull(name: string, options: Pick<DatasetPullOptions, 'rank' | 'world' | 'group' | 'revision' | 'dest' | 'force' | 'signal' | 'onProgress'>): Promise<DatasetPullResult>
  datasetProviders(name: string, options?: AbortOptions & { revision?: string, timeoutMs?: number }): Promise<DatasetProvider[]>
  datasetList(options?: AbortOptions): Promise<LocalDataset[]>
  /** Put a value in the inference cache; its CID. `ttl` in ms. */
  cachePut(key: string, value: Uint8Array, options?: AbortOptions & { ttl?: number }): Promise<{ key: string, cid: string }>
  /** The cached value (here, else verified from peers), or undefined. */
  cacheGet(key: string, options?: AbortOptions): Promise<Uint8Array | undefined>
  /** False when there was no entry. */
  cacheRm(key: string, options?: AbortOptions): Promise<boolean>
  cacheLs(options?: AbortOptions): Promise<CacheEntryInfo[]>
  cacheStats(options?: AbortOptions): Promise<CacheStats>
  /** Access statistics per root, hottest first (`limit` of them). */
  seedingStats(options?: AbortOptions & { limit?: number }): Promise<SeedingStats>
  /** The replications this node knows of, with live holders and state. */
  replicationLs(options?: AbortOptions): Promise<ReplicationEntry[]>
  /** Have `peers` (all, N, P%) members pull a model now; each member's outcome. */
  modelPreheat(name: string, options?: PreheatOptions): Promise<PreheatResult[]>
  /** Have `peers` (all, N, P%; with `tags`) members pull a dataset whole now; each member's outcome. */
  datasetPreheat(name: string, options?: Omit<PreheatOptions, 'kind'>): Promise<PreheatResult[]>
}

export interface TrustEntry {
  org: string
  publishers: string[]
  source: 'configured' | 'recorded'
}

/**
 * The operations over a Kit in this process.
 *
 * @example
 * const ops = localOperations(await createKit({ offline: true }))
 * const { cid } = await ops.add({ path: 'model.bin' }, { pin: true })
 */
export function localOperations (kit: Kit): KitOperations {
  const storage = kit.storage
  return {
    id: async () => ({ peerId: kit.peerId.toString(), publisher: kit.publisher, addresses: kit.addresses() }),
    add: async (input, options = {}) => {
      let size = 0
      const failedBackends: AddResult['failedBackends'] & object = []
      const cid = await storage.store(input, {
        ...options,
        onProgress: event => {
          if (event.type === 'storage:store:chunk') size = event.detail.bytes
          if (event.type === 'storage:backend-failed') failedBackends.push({ backend: event.detail.backend, error: `${event.detail.error.name}: ${event.detail.error.message}` })
          options.onProgress?.(event)
        }
      })
      return { cid, size, ...(failedBackends.length > 0 ? { failedBackends } : {}) }
    },
    cat: (cid, options = {}) => storage.stream(cid, options),
    catTo: async (cid, dest, options = {}) => {
      for await (const chunk of storage.stream(cid, options)) {
        const written = writeDirect(dest, chunk)
        if (written !== true && !(await written)) return false
      }
      return true
    },
    save: async (cid, path, options = {}) => ({ path, size: await saveFile(storage.stream(cid, { signal: options.signal }), path, options) }),
    ls: async () => await storage.listFiles(),
    pinAdd: async (cid, options = {}) => await storage.pin(cid, options),
    pinRm: async (cid) => await storage.unpin(cid),
    pinLs: async (options = {}) => {
      const out: PinEntry[] = []
      for await (const pin of storage.pins(options)) out.push(pin)
      return out
    },
    rm: async (cid, options = {}) => await storage.delete(cid, options),
    gc: async (options = {}) => await storage.gc(options),
    verify: async (options = {}) => await storage.verify(options),
    status: async () => await storage.status(),
    tier: async (cid, options = {}) => options.to == null ? await storage.tierSizes(cid, options) : await storage.tier(cid, options.to, { signal: options.signal }),
    modelPublish: async (dir, options) => await kit.models.publish(dir, options),
    modelProviders: async (name, options = {}) => await kit.models.findProviders(name, options),
    modelPull: async (name, options = {}) => await kit.models.pull(name, options),
    modelList: async () => await kit.models.list(),
    modelYank: async (name, options = {}) => await kit.models.yank(name, options),
    modelTrust: async (org, publisher) => await kit.models.trust(org, publisher),
    modelUntrust: async (org, publisher) => await kit.models.untrust(org, publisher),
    modelTrusted: async () => await kit.models.trusted(),
    datasetPublish: async (dir, options) => await kit.datasets.publish(dir, options),
    datasetPlan: async (name, options) => await kit.datasets.plan(name, options),
    datasetPull: async (name, options) => await kit.datasets.pull(name, options),
    datasetProviders: async (name, options = {}) => await kit.datasets.findProviders(name, options),
    datasetList: async () => await kit.datasets.list(),
    cachePut: async (key, value, options = {}) => ({ key, cid: await kit.cache.put(key, value, options) }),
    cacheGet: async (key, options = {}) => await kit.cache.get(key, options),
    cacheRm: async (key) => await kit.cache.delete(key),
    cacheLs: async () => await kit.cache.list(),
    cacheStats: async () => kit.cache.stats(),
    seedingStats: async (options = {}) => kit.seeding.stats({ limit: options.limit }),
    replicationLs: async () => kit.seeding.replications(),
    modelPreheat: async (name, options = {}) => await kit.seeding.preheat(name, { ...options, kind: 'model' }),
    datasetPreheat: async (name, options = {}) => await kit.seeding.preheat(name, { ...options, kind: 'dataset' })
  }
}
