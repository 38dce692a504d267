/**
 * libp2p's own metrics (connections, streams, DHT and bitswap series, and
 * `libp2p_data_transfer_bytes_total{protocol}`: bytes in and out per protocol)
 * in the kit's registry.
 *
 * Caveat: @libp2p/prometheus-metrics keeps a module-level map of metric
 * objects by name, cleared whenever a node is created. A series that a libp2p
 * component registers lazily (after start) in a process holding several online
 * kits lands in the registry of the kit created last. One kit per process, as
 * `ipfs-kit daemon` runs, is exact; tests with several kits see their own
 * storage series exactly and libp2p's nearly so.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { KitMetrics } from './kit-metrics.ts'
import type { Libp2pMetricsFactory } from '../node/index.ts'

export function libp2pMetrics (metrics: KitMetrics, statfsLocation: string): Libp2pMetricsFactory {
  return prometheusMetrics({
    registry: metrics.registry,
    // process metrics (CPU, heap, event loop) are process-wide: processMetrics() registers them once
    collectDefaultMetrics: false,
    statfsLocation
  })
}
