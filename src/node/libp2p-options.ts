/** The libp2p stack of an online node, from config: TCP, noise, yamux, identify, ping, kad-dht, gossipsub. */
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import type { CreateLibp2pOptions } from '@helia/libp2p'
import type { ConnectionGater, ConnectionProtector, PrivateKey } from '@libp2p/interface'

export interface Libp2pOptionsInit {
  privateKey: PrivateKey
  listen: string[]
  dhtProtocol: string
  /** A private network's swarm key protector (swarm-key.ts). @default none: a public network */
  connectionProtector?: () => ConnectionProtector
  /** Who may connect (allow-list.ts). @default none: anyone */
  connectionGater?: ConnectionGater
}

export function libp2pOptions (init: Libp2pOptionsInit): CreateLibp2pOptions<any> {
  return {
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    connectionProtector: init.connectionProtector,
    connectionGater: init.connectionGater,
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      // kad-dht uses ping to check peers before evicting them from its routing table
      ping: ping(),
      dht: kadDHT({
        protocol: init.dhtProtocol,
        clientMode: false
      }),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true })
    }
  }
}
