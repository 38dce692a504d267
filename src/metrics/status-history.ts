/**
 * `StatusHistory`: a bounded ring of samples of the kit's cumulative counters
 * (bytes in and out per protocol group, inference cache hits and misses),
 * taken every STATUS_HISTORY_INTERVAL_MS and kept for STATUS_HISTORY_SAMPLES.
 * The status page draws rates from the differences between samples. Kept in
 * the kit rather than in each browser, so a page opened now shows the last
 * minutes at once, and any number of pages cost the kit nothing more.
 */
import { logger } from '@libp2p/logger'
import { STATUS_HISTORY_INTERVAL_MS, STATUS_HISTORY_SAMPLES } from '../constants.ts'
import type { Registry } from 'prom-client'

const log = logger('ipfs-kit:metrics:history')

/** The protocols the status page charts: our transfer protocol, bitswap, gossipsub, the DHT, and the rest (identify, ping, cache, …). */
export type ProtocolGroup = 'transfer' | 'bitswap' | 'gossip' | 'dht' | 'other'
export const PROTOCOL_GROUPS: readonly ProtocolGroup[] = ['transfer', 'bitswap', 'gossip', 'dht', 'other']

/** Bytes in (received) and out (sent). */
export interface InOut {
  in: number
  out: number
}

/** Cumulative counters at one instant. */
export interface StatusSample {
  /** ms since the epoch */
  at: number
  /** Bytes received and sent since start, per protocol group. */
  transfer: Record<ProtocolGroup, InOut>
  /** Inference cache gets answered with a value (here or by a peer), since start. */
  cacheHits: number
  /** Inference cache gets answered with nothing, since start. */
  cacheMisses: number
  /** Of the hits, those answered by a peer's verified entry. */
  cacheRemoteHits: number
}

/** Which group a libp2p protocol id belongs to. */
export function protocolGroup (protocol: string): ProtocolGroup {
  if (protocol.startsWith('/ipfs-kit/transfer/')) return 'transfer'
  if (protocol.startsWith('/ipfs/bitswap/')) return 'bitswap'
  if (protocol.startsWith('/meshsub/') || protocol.startsWith('/floodsub/')) return 'gossip'
  if (protocol.includes('/kad/')) return 'dht'
  return 'other'
}

/** Per-protocol byte counts (libp2p's `<protocol>: {sent, received}`, `global` excluded) summed per group. */
export function groupTransfer (byProtocol: Record<string, { sent: number, received: number }>): Record<ProtocolGroup, InOut> {
  const out = Object.fromEntries(PROTOCOL_GROUPS.map(g => [g, { in: 0, out: 0 }])) as Record<ProtocolGroup, InOut>
  for (const [protocol, { sent, received }] of Object.entries(byProtocol)) {
    if (protocol === 'global') continue
    const group = out[protocolGroup(protocol)]
    group.in += received
    group.out += sent
  }
  return out
}

/** libp2p's `libp2p_data_transfer_bytes_total`, whose labels read `<protocol> sent|received`: bytes per protocol since start (`global` is every connection). */
export async function readTransfer (registry: Registry): Promise<Record<string, { sent: number, received: number }>> {
  const metric = registry.getSingleMetric('libp2p_data_transfer_bytes_total')
  if (metric == null) return {}
  const out: Record<string, { sent: number, received: number }> = {}
  for (const { labels, value } of (await metric.get()).values) {
    const match = /^(.*) (sent|received)$/.exec(String(labels.protocol ?? ''))
    if (match == null) continue
    const entry = out[match[1] as string] ??= { sent: 0, received: 0 }
    entry[match[2] as 'sent' | 'received'] += value
  }
  return out
}

export interface StatusHistoryInit {
  /** Read the counters now. */
  sample(): Promise<StatusSample>
  /** @default STATUS_HISTORY_INTERVAL_MS */
  intervalMs?: number
  /** @default STATUS_HISTORY_SAMPLES */
  capacity?: number
}

export class StatusHistory {
  readonly intervalMs: number
  private readonly capacity: number
  private readonly ring: StatusSample[] = []
  private timer: ReturnType<typeof setInterval> | undefined
  private taking: Promise<void> | undefined

  constructor (private readonly init: StatusHistoryInit) {
    this.intervalMs = init.intervalMs ?? STATUS_HISTORY_INTERVAL_MS
    this.capacity = init.capacity ?? STATUS_HISTORY_SAMPLES
  }

  /** Take a first sample now, then one every `intervalMs` (the timer does not keep the process alive). */
  start (): void {
    if (this.timer != null) return
    void this.take()
    this.timer = setInterval(() => { void this.take() }, this.intervalMs)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.taking
  }

  /** The samples kept, oldest first (copies). */
  samples (): StatusSample[] {
    return this.ring.map(s => structuredClone(s))
  }

  private async take (): Promise<void> {
    // one sample at a time: a slow read is skipped over, never queued behind
    if (this.taking != null) return
    this.taking = (async () => {
      try {
        this.ring.push(await this.init.sample())
        if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity)
      } catch (err: any) {
        log.error('status sample failed - %e', err)
      } finally {
        this.taking = undefined
      }
    })()
    await this.taking
  }
}
