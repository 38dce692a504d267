/**
 * One node of `npm run bench:discovery -- --nodes N`: a real libp2p node
 * composed by the product's own `libp2pOptions` (TCP on loopback, noise,
 * yamux, identify, ping, kad-dht on the private protocol, gossipsub), with
 * its own identity, running the product's `NamedDiscovery` for models (the
 * code `kit.models` runs: gossip announcements, provider index, the models
 * protocol, DHT provider records). What it leaves out of a kit is what
 * discovery does not touch: the blockstore, bitswap, pins, HTTP. Many of
 * these live in one process; a byte counter per node (libp2p's `metrics`
 * hook, as @libp2p/prometheus-metrics counts) gives its gossipsub traffic.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { MODEL_KIND, NamedDiscovery } from '../../src/named/index.ts'
import { gossipsubOptions } from '../../src/node/gossipsub-options.ts'
import { libp2pOptions } from '../../src/node/libp2p-options.ts'
import { cachePeerStore } from '../../src/node/peer-store-cache.ts'
import { PEER_STORE_CACHE_MS, PEER_STORE_CACHE_PEERS } from '../../src/constants.ts'
import type { AnnouncerInit, LocalRecord } from '../../src/named/index.ts'
import type { ProviderIndexInit } from '../../src/named/provider-index.ts'
import type { TrustStore } from '../../src/trust/index.ts'
import type { Libp2p, Metrics, Stream } from '@libp2p/interface'

export const DHT_PROTOCOL = '/ipfs-kit/kad/1.0.0'

/** Bytes sent and received per protocol by one node. */
export class ProtocolBytes {
  readonly bytes = new Map<string, number>()
  /** Streams opened (either side) per protocol. */
  readonly streams = new Map<string, number>()

  add (protocol: string, n: number): void {
    this.bytes.set(protocol, (this.bytes.get(protocol) ?? 0) + n)
  }

  /** Gossipsub (meshsub/floodsub) bytes in and out: payloads, forwards, IHAVE/IWANT, GRAFT/PRUNE, subscriptions. */
  gossip (): number {
    let n = 0
    for (const [protocol, b] of this.bytes) if (protocol.startsWith('/meshsub/') || protocol.startsWith('/floodsub/')) n += b
    return n
  }

  /**
   * libp2p's metrics hook, counting only stream bytes: every stream's sends and
   * the message events it dispatches (the way @libp2p/prometheus-metrics counts
   * them, without adding a listener). Registered metrics are not needed here.
   */
  metrics (): () => Metrics {
    // any metric method returns this again; not a thenable, so an awaited metric call resolves
    const nothing: any = new Proxy(() => {}, { get: (_t, key) => key === 'then' ? undefined : nothing, apply: () => nothing })
    return () => ({
      trackMultiaddrConnection: () => {},
      trackProtocolStream: (stream: Stream) => {
        const protocol = stream.protocol
        if (protocol == null) return
        this.streams.set(protocol, (this.streams.get(protocol) ?? 0) + 1)
        const dispatch = stream.dispatchEvent.bind(stream)
        stream.dispatchEvent = (evt: any) => {
          if (evt.type === 'message') this.add(protocol, evt.data.byteLength)
          return dispatch(evt)
        }
        const send = stream.send.bind(stream)
        stream.send = (buf: any) => {
          this.add(protocol, buf.byteLength)
          return send(buf)
        }
      },
      registerMetric: () => nothing,
      registerMetricGroup: () => nothing,
      registerCounter: () => nothing,
      registerCounterGroup: () => nothing,
      registerHistogram: () => nothing,
      registerHistogramGroup: () => nothing,
      registerSummary: () => nothing,
      registerSummaryGroup: () => nothing,
      traceFunction: (_name: string, fn: any) => fn,
      createTrace: () => undefined
    }) as unknown as Metrics
  }
}

export interface ScaleNodeInit {
  /** Models this node holds (name → revision `main`, root derived from the name). */
  models: string[]
  bootstrap: string[]
  announce?: AnnouncerInit
  index?: ProviderIndexInit
  /** false: no connection pings (fleet nodes packed in one process). @default libp2p's monitor, as the product runs it */
  connectionMonitor?: boolean
  /** false: gossipsub publishes to its mesh peers only, not to every topic peer. @default gossipsub's (true), as the product runs it */
  floodPublish?: boolean
  /** true: kad-dht lookups do not wait for the node's first self-query (allowQueryWithZeroPeers). @default false, as the product runs it */
  dhtNoSelfWait?: boolean
}

export interface ScaleNode {
  libp2p: Libp2p
  discovery: NamedDiscovery
  traffic: ProtocolBytes
  /** Announcements this node received on the models topic (each message once, as gossipsub delivers it). */
  announcementsHeard(): number
  address: string
  /** Start announcing (gossip, then DHT provider records in the background) and answering: done once the fleet is connected. */
  startDiscovery(): Promise<void>
  stop(): Promise<void>
}

/** The manifest root a holder of `name` announces: the same for every holder, as for a real model pulled from its publisher. */
export async function rootOf (name: string): Promise<string> {
  return CID.createV1(0x55, await sha256.digest(new TextEncoder().encode(`bench-model:${name}`))).toString()
}

export async function startScaleNode (init: ScaleNodeInit): Promise<ScaleNode> {
  const traffic = new ProtocolBytes()
  const options = libp2pOptions({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    dhtProtocol: DHT_PROTOCOL,
    metrics: traffic.metrics(),
    ...(init.dhtNoSelfWait === true ? { dht: { allowQueryWithZeroPeers: true } } : {})
  })
  // libp2p accepts at most 5 inbound connections per second from one IP address (and 10 pending):
  // a guard against one host, but on loopback every peer of the fleet is 127.0.0.1, so without
  // this, joins and DHT walks of hundreds of nodes are refused with ECONNRESET
  options.connectionManager = { ...options.connectionManager, inboundConnectionThreshold: Number.MAX_SAFE_INTEGER, maxIncomingPendingConnections: 1_000 }
  // libp2p pings every connection every 10 s from both ends, a stream each time: cheap for one
  // node (its 15–50 connections), but 100 nodes in a process open ~400 ping streams a second, which
  // alone kept the two hosts of N = 100 busy on a shared 2-core machine before discovery even started
  // (benchmarks/discovery-scale.ts). Discovery never reads the ping round-trip times.
  if (init.connectionMonitor === false) options.connectionMonitor = { enabled: false }
  // gossipsub scores a peer down by (peers sharing its IP − 10)² × 5 (IP colocation, a Sybil guard):
  // on loopback every peer shares 127.0.0.1, so from 14 connected nodes on every peer was graylisted
  // and the mesh delivered nothing (the N ≥ 50 rows before this: gossip ~1 KiB/node/min, indexes
  // expiring). Lifted here as for libp2p's per-IP inbound limit above; the rest is the product's.
  options.services = { ...options.services, pubsub: gossipsub({ ...gossipsubOptions(), ...(init.floodPublish === false ? { floodPublish: false } : {}), scoreParams: { IPColocationFactorWeight: 0 } }) }
  // the product's peer-store cache (src/node/online.ts; the datastore is libp2p's in-memory one
  // here); SCALE_BENCH_PEER_CACHE=off leaves it out, for an A/B of what it saves
  const libp2p = await createLibp2p({ ...options, start: false })
  if (process.env.SCALE_BENCH_PEER_CACHE !== 'off') cachePeerStore(libp2p.peerStore, { ttlMs: PEER_STORE_CACHE_MS, maxPeers: PEER_STORE_CACHE_PEERS })
  await libp2p.start()
  const records: LocalRecord[] = await Promise.all(init.models.map(async name => ({ name, revision: 'main', root: await rootOf(name), created: 0, origin: 'pulled' as const })))
  const discovery = new NamedDiscovery({
    kind: MODEL_KIND,
    libp2p,
    list: async () => records,
    // only findProviders (which fetches and verifies manifests) consults trust; the benchmark asks
    // findProvidersStream, and the announcer never does
    trust: undefined as unknown as TrustStore,
    announce: init.announce,
    index: init.index
  })
  await Promise.all(init.bootstrap.map(async addr => {
    await libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(15_000) }).catch((err: Error) => { process.stderr.write(`bootstrap dial ${addr} failed: ${err.message}\n`) })
  }))
  let heard = 0
  ;(libp2p.services as { pubsub: { addEventListener(type: 'message', l: (evt: CustomEvent<{ topic: string }>) => void): void } }).pubsub.addEventListener('message', evt => { if (evt.detail.topic === MODEL_KIND.topic) heard++ })
  let started = false
  return {
    libp2p,
    discovery,
    traffic,
    announcementsHeard: () => heard,
    address: `${libp2p.getMultiaddrs()[0]?.toString() ?? ''}`,
    startDiscovery: async () => {
      started = true
      await discovery.start()
    },
    stop: async () => {
      if (started) await discovery.stop()
      await libp2p.stop()
    }
  }
}

/** Time until `discovery` names a first provider of `name` through `sources`; null: none within `timeoutMs`. */
export async function firstProvider (node: ScaleNode, name: string, sources: Array<'gossip' | 'peers' | 'dht'>, timeoutMs: number): Promise<number | null> {
  const started = performance.now()
  for await (const _ of node.discovery.findProvidersStream(name, { sources, timeoutMs })) return performance.now() - started
  return null
}
