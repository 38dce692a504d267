/**
 * The peer allow-list (`node.allow_list`): a libp2p connection gater that lets
 * only the listed peers connect, in both directions.
 *
 * A gated peer never gets a connection, so it can neither fetch from us nor
 * publish to our gossipsub topics nor add DHT provider records through us.
 * Checks happen at every step where libp2p knows the remote peer id: before
 * dialing a known peer, and right after the encryption handshake (which
 * authenticates the peer id) for inbound connections and for dials of a bare
 * multiaddr. Relayed connections are held to the same list.
 */
import { logger } from '@libp2p/logger'
import type { ConnectionGater, PeerId } from '@libp2p/interface'

const log = logger('ipfs-kit:node:allow-list')

export interface AllowListInit {
  /** Peer ids (`12D3KooW…`) that may connect. */
  allowed: Iterable<string>
  /** This node, always allowed (libp2p checks some of its own records against the gater). */
  self: PeerId
}

/**
 * A connection gater that refuses every peer not in `allowed`.
 *
 * @example
 * createLibp2p({ connectionGater: allowListGater({ allowed: ['12D3KooW…'], self: peerId }) })
 */
export function allowListGater (init: AllowListInit): ConnectionGater {
  const allowed = new Set(init.allowed)
  allowed.add(init.self.toString())

  const deny = (peer: PeerId, step: string): boolean => {
    if (allowed.has(peer.toString())) return false
    log('refusing %s %p: not on the allow list', step, peer)
    return true
  }

  return {
    denyDialPeer: peer => deny(peer, 'to dial'),
    denyOutboundConnection: peer => deny(peer, 'outbound connection to'),
    denyInboundEncryptedConnection: peer => deny(peer, 'inbound connection from'),
    denyOutboundEncryptedConnection: peer => deny(peer, 'outbound connection to'),
    denyInboundUpgradedConnection: peer => deny(peer, 'inbound connection from'),
    denyOutboundUpgradedConnection: peer => deny(peer, 'outbound connection to'),
    denyInboundRelayReservation: source => deny(source, 'relay reservation for'),
    denyInboundRelayedConnection: (relay, remote) => deny(relay, 'relayed connection through') || deny(remote, 'relayed connection from'),
    denyOutboundRelayedConnection: (source, destination) => deny(source, 'relayed connection from') || deny(destination, 'relayed connection to')
  }
}
