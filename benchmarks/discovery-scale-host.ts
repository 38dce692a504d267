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
  | { op: 'start', nodes: ScaleNodeInit[] }
  | { op: 'discovery', concurrency: number }
  | { op: 'stats' }
  | { op: 'stop' }

export interface NodeStats {
  peerId: string
  gossipBytes: number
  indexEntries: number
  connections: number
}

export interface HostStats {
  nodes: NodeStats[]
  rssBytes: number
  heapUsedBytes: number
  /** p99 event-loop delay of this host since the last stats, ms. */
  loopDelayP99Ms: number
}

const nodes: ScaleNode[] = []
const loop = monitorEventLoopDelay({ resolution: 20 })
loop.enable()

async function handle (req: HostRequest): Promise<unknown> {
  switch (req.op) {
    case 'start': {
      const started = await Promise.all(req.nodes.map(async init => await startScaleNode(init)))
      nodes.push(...started)
      return started.map(n => n.address)
    }
    case 'discovery': {
      const queue = [...nodes]
      await Promise.all(Array.from({ length: req.concurrency }, async () => {
        for (let n = queue.shift(); n != null; n = queue.shift()) await n.startDiscovery()
      }))
      return true
    }
    case 'stats': {
      const mem = process.memoryUsage()
      const stats: HostStats = {
        nodes: nodes.map(n => ({ peerId: n.libp2p.peerId.toString(), gossipBytes: n.traffic.gossip(), indexEntries: n.discovery.indexedProviders, connections: n.libp2p.getConnections().length })),
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        loopDelayP99Ms: loop.percentile(99) / 1e6
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

process.on('message', (msg: { id: number, req: HostRequest }) => {
  handle(msg.req).then(
    value => { process.send?.({ id: msg.id, value }) },
    (err: Error) => { process.send?.({ id: msg.id, error: err.stack ?? err.message }) }
  )
})
process.on('disconnect', () => { process.exit(0) })
