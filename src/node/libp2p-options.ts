/** The libp2p stack of an online node, from config: TCP, noise, yamux, identify, ping, kad-dht, gossipsub. */
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import type { KadDHTInit } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { gossipsubOptions } from './gossipsub-options.ts'
import { noiseCrypto } from './noise-crypto.ts'
import { PING_MAX_STREAMS, YAMUX_MAX_READ_BUFFER, YAMUX_MAX_STREAM_WINDOW } from '../constants.ts'
import type { CreateLibp2pOptions } from '@helia/libp2p'
import type { ComponentLogger, ConnectionGater, ConnectionProtector, Metrics, PrivateKey } from '@libp2p/interface'

/** Makes libp2p's metrics implementation; the kit passes its registry's (metrics/libp2p-metrics.ts). */
export type Libp2pMetricsFactory = (components: { logger: ComponentLogger }) => Metrics

/** The public IPFS DHT protocol: peers there should only learn public addresses. */
const PUBLIC_DHT_PROTOCOL = '/ipfs/kad/1.0.0'

export interface Libp2pOptionsInit {
  privateKey: PrivateKey
  listen: string[]
  dhtProtocol: string
  /** A private network's swarm key protector (swarm-key.ts). @default none: a public network */
  connectionProtector?: () => ConnectionProtector
  /** Who may connect (allow-list.ts). @default none: anyone */
  connectionGater?: ConnectionGater
  /** libp2p's metrics (bytes per protocol, connections, DHT, …). @default none */
  metrics?: Libp2pMetricsFactory
  /** kad-dht settings on top of the kit's (benchmarks try alternatives through this). @default none */
  dht?: Partial<KadDHTInit>
}

export function libp2pOptions (init: Libp2pOptionsInit): CreateLibp2pOptions<any> {
  return {
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    connectionProtector: init.connectionProtector,
    connectionGater: init.connectionGater,
    metrics: init.metrics,
    // a connection busy moving gigabytes answers pings late; our protocols time out stalled
    // streams themselves, so a slow ping is logged rather than cutting every stream on it
    connectionMonitor: { abortConnectionOnPingFailure: false },
    transports: [tcp()],
    // noise with each session key imported once, not once per frame (noise-crypto.ts)
    connectionEncrypters: [noise({ crypto: noiseCrypto })],
    // the window stays under the read buffer, so a stream paused for backpressure (src/transfer/frame-reader.ts) is never reset
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW, maxReadBufferLength: YAMUX_MAX_READ_BUFFER } })],
    services: {
      identify: identify(),
      // kad-dht uses ping to check peers before evicting them from its routing table; it and the
      // connection monitor may ping the same peer at once, which with ping's default of one
      // outbound stream fails one of them
      ping: ping({ maxOutboundStreams: PING_MAX_STREAMS, maxInboundStreams: PING_MAX_STREAMS }),
      dht: kadDHT({
        protocol: init.dhtProtocol,
        clientMode: false,
        // every lookup waits for the first self-query, which itself waits for a first peer; the
        // default 1 s head start only made a fresh node's first lookup ~1 s slower (benchmarks/discovery.ts)
        initialQuerySelfInterval: 0,
        // kad-dht strips private addresses from the peers it tells others about by default,
        // which is right for the public DHT but leaves a cluster on a LAN (or loopback) unable to
        // reach anyone it is not already connected to
        peerInfoMapper: init.dhtProtocol === PUBLIC_DHT_PROTOCOL ? removePrivateAddressesMapper : passthroughMapper,
        ...init.dht
      }),
      pubsub: gossipsub(gossipsubOptions())
    }
  }
}
