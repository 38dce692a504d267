/**
 * @packageDocumentation
 *
 * ipfs-kit embeds an IPFS node (Helia on libp2p) in the application: content
 * stored under the CIDs Kubo would give it, pinned, and served to peers.
 *
 * @example
 * ```ts
 * import { createKit } from 'ipfs-kit'
 *
 * const kit = await createKit({ offline: true })
 * const cid = await kit.storage.store('hello world', { filename: 'hello.txt', pin: true })
 * const bytes = await kit.storage.retrieve(cid)
 * await kit.stop()
 * ```
 */
export { createKit } from './kit.ts'
export type { Kit, KitOptions } from './kit.ts'
export { getStorage, resetStorage } from './singleton.ts'
export { IPFSKitStorage } from './storage/index.ts'
export type { PinEntry, PinOptions, UnpinOptions, StoreInput, StoreOptions, StreamOptions, FileEntry, BackendStatus, StoreProgressEvents, VerifyOptions, VerifyResult, EvictionResult } from './storage/index.ts'
export type { BackendName, BackendHealth, TierName, TierSizes, TierOptions } from './storage/index.ts'
export type { FilecoinAdapter, FilecoinDealStatus } from './blocks/index.ts'
export { repairRepo } from './repo/index.ts'
export { exportPublisherKey, importPublisherKey, publisherId, parsePublisherId } from './trust/index.ts'
export type { GcResult, GcOptions, PinRecord, PinOrigin } from './pins/index.ts'
export { PIN_ORIGINS } from './pins/index.ts'
export { Models } from './models/index.ts'
export { Datasets, assignShards, planRank } from './datasets/index.ts'
export type { DatasetPlan, DatasetPublishOptions, DatasetPublishResult, DatasetPullOptions, DatasetPullResult, DatasetStream, DatasetProvider, LocalDataset, PlanOptions, PlannedShard, StreamOptions as DatasetStreamOptions, StreamState, StreamItem } from './datasets/index.ts'
export { Cache, cacheKey } from './cache/index.ts'
export type { CacheEntryInfo, CacheStats, CachePutOptions, CacheGetOptions, InferenceRequest, CachedInferenceOptions } from './cache/index.ts'
export type { PublishOptions, PublishResult, ModelProvider, FindProvidersOptions, PullOptions, PullResult, YankOptions, YankResult, PullProgress, PullProgressEvents, PublishProgressEvents, LocalModel, Manifest } from './models/index.ts'
export type { SeedingStats, SeedingStatsOptions, RootAccess, ReplicationEntry, PreheatOptions, PreheatResult, PreheatProgressEvents, PinRequest, PinRequestPin, PinRequestQuery, PinRequestResults, PinRequestStatus } from './seeding/index.ts'
export { PIN_REQUEST_STATUSES } from './seeding/index.ts'
export type { KitMetrics, CollectedMetrics, NodeStatus, ActivePull, OperationCounts, Operation, Outcome } from './metrics/index.ts'
export type { GcFigures, Holding, PeerConnection, PullKind, PullProvider, StatusSample } from './metrics/index.ts'
export { loadConfig, resolveDataDir, parseSize, parseDuration } from './config/index.ts'
export type { KitConfig, KitConfigInput } from './config/index.ts'
export * from './errors.ts'
export * as constants from './constants.ts'
