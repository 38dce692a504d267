/**
 * Metrics and status of a kit: operation counts, bytes and latency
 * histograms, local hits versus network fetches, corrupt blocks, peers, pins
 * and repo size, in a Prometheus registry per kit (with libp2p's own series);
 * `kit.metrics()` in the seed plan's `collect_metrics()` shape and
 * `kit.status()` for the status page.
 *
 * @example
 * ```ts
 * const kit = await createKit()
 * await kit.storage.store('hello')
 * console.log((await kit.metrics()).storageOperations.store) // 1
 * console.log(await kit.telemetry.prometheus()) // ipfs_kit_operations_total{operation="store",result="ok"} 1 …
 * ```
 */
export { KitMetrics } from './kit-metrics.ts'
export type { BlockOrigin, CacheFigures, GaugeSources, GcFigures, HotFigures, Operation, OperationCounts, Outcome, RepoFigures } from './kit-metrics.ts'
export { meteredBlockSource } from './metered-block-source.ts'
export { MeteredStorage } from './metered-storage.ts'
export { PullTracker } from './pull-tracker.ts'
export type { ActivePull, PullKind, PullProvider, TrackedPull, TrackedProgress } from './pull-tracker.ts'
export { PeerTraffic } from './peer-traffic.ts'
export { StatusHistory, groupTransfer, protocolGroup, PROTOCOL_GROUPS } from './status-history.ts'
export type { InOut, ProtocolGroup, StatusSample } from './status-history.ts'
export { TrackedModels } from './tracked-models.ts'
export { TrackedDatasets } from './tracked-datasets.ts'
export { libp2pMetrics } from './libp2p-metrics.ts'
export { processMetrics } from './process-metrics.ts'
export { collectMetrics, nodeStatus } from './node-status.ts'
export type { CollectedMetrics, Holding, NodeStatus, PeerConnection, StatusSources } from './node-status.ts'
