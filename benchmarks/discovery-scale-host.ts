/**
 * A child process of `npm run bench:discovery -- --nodes N`: it hosts a
 * share of the fleet's nodes (benchmarks/lib/scale-node.ts) and obeys the
 * parent over IPC: start nodes, start their discovery, report traffic and
 * index sizes, stop. Nodes in different hosts talk over TCP loopback like
 * nodes in the same one.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { startScaleNode } from './lib/scale-node.ts'
import type { ScaleNode, ScaleNodeInit } from './lib/scale-node.ts'

export type HostRequest =
  | { op: 'start', nodes: ScaleNodeInit[], discovery?: boolean }
  | { op: 'discovery', spacingMs: number }
  | { op: 'stats' }
  | { op: 'stop' }

export interface NodeStats {
  peerId: string
  gossipBytes: number
  /** Announcements received (distinct messages) since the node started. */
  heard: number
  indexEntries: number
  connections: number
}

export interface HostStats {
  nodes: NodeStats[]
  rssBytes: number
  heapUsedBytes: number
  /** p99 event-loop delay of this host since the last stats, ms. */
  loopDelayP99Ms: number
  /** CPU time (user + system) this host used since it started, ms. */
  cpuMs: number
  /** Bytes and streams per protocol, all of this host's nodes together, since they started. */
  protocols: Record<string, { bytes: number, streams: number }>
}

const nodes: ScaleNode[] = []
const loop = monitorEventLoopDelay({ resolution: 20 })
loop.enable()

async function handle (req: HostRequest): Promise<unknown> {
  switch (req.op) {
    case 'start': {
      // discovery: each node starts it right after its libp2p node, as a kit does
      const started = await Promise.all(req.nodes.map(async init => {
        const node = await startScaleNode(init)
        if (req.discovery === true) await node.startDiscovery()
        return node
      }))
      nodes.push(...started)
      return started.map(n => n.address)
    }
    case 'discovery': {
      // one node after another, spacingMs apart: each start gossips once and sets off the node's DHT
      // provides in the background, so starting them all at once put hundreds of DHT walks in one process
      for (const n of nodes) {
        await n.startDiscovery()
        await new Promise(resolve => setTimeout(resolve, req.spacingMs))
      }
      return true
    }
    case 'stats': {
      const mem = process.memoryUsage()
      const stats: HostStats = {
        nodes: nodes.map(n => ({ peerId: n.libp2p.peerId.toString(), gossipBytes: n.traffic.gossip(), heard: n.announcementsHeard(), indexEntries: n.discovery.indexedProviders, connections: n.libp2p.getConnections().length })),
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        loopDelayP99Ms: loop.percentile(99) / 1e6,
        cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
        protocols: protocolTotals()
      }
      loop.reset()
      return stats
    }
    case 'stop': {
      await Promise.all(nodes.map(async n => { await n.stop().catch(() => {}) }))
      setImmediate(() => process.exit(0))
      return true
    }
  }
}

function protocolTotals (): HostStats['protocols'] {
  const out: HostStats['protocols'] = {}
  for (const n of nodes) {
    for (const [protocol, bytes] of n.traffic.bytes) (out[protocol] ??= { bytes: 0, streams: 0 }).bytes += bytes
    for (const [protocol, streams] of n.traffic.streams) (out[protocol] ??= { bytes: 0, streams: 0 }).streams += streams
  }
  return out
}

process.on('message', (msg: { id: number, req: HostRequest }) => {
  handle(msg.req).then(
    value => { process.send?.({ id: msg.id, value }) },
    (err: Error) => { process.send?.({ id: msg.id, error: err.stack ?? err.message }) }
  )
})
process.on('disconnect', () => { process.exit(0) })
