/** The online half of a node: libp2p, bitswap, private-cluster protection, bootstrap dials (once the kit handles all its protocols). */
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from './libp2p-light.ts'
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { BOOTSTRAP_DIAL_TIMEOUT_MS, PEER_RECORD_CACHE_RECORDS, PEER_RECORD_FLUSH_MS, PEER_STORE_CACHE_MS, PEER_STORE_CACHE_PEERS } from '../constants.ts'
import { allowListGater } from './allow-list.ts'
import { libp2pOptions } from './libp2p-options.ts'
import { PeerRecordCache } from './peer-record-cache.ts'
import { cachePeerStore } from './peer-store-cache.ts'
import { readSwarmKey } from '../config/index.ts'
import { swarmKeyProtector } from './swarm-key.ts'
import type { KitNode, NodeInit } from './create-node.ts'
import type { Helia } from '@helia/interface'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'

const log = logger('ipfs-kit:node')

export async function startOnline (light: Helia, init: NodeInit, privateKey: PrivateKey, peerId: PeerId): Promise<KitNode> {
  // read before anything starts, so a bad key file fails the start with its path
  const swarmKey = init.swarmKey == null ? undefined : readSwarmKey(init.swarmKey)
  // libp2p's peer records live in memory and are written behind (peer-record-cache.ts)
  const peerRecords = new PeerRecordCache(light.datastore, { maxRecords: PEER_RECORD_CACHE_RECORDS, flushMs: PEER_RECORD_FLUSH_MS })
  const options = libp2pOptions({
    privateKey,
    listen: init.listen,
    dhtProtocol: init.dhtProtocol,
    connectionProtector: swarmKey == null ? undefined : swarmKeyProtector(swarmKey),
    connectionGater: init.allowList == null ? undefined : allowListGater({ allowed: init.allowList, self: peerId }),
    metrics: init.metrics
  })
  // and decoded peers answer libp2p's frequent reads and no-op merges (peer-store-cache.ts)
  const helia = withBitswap(withLibp2pLight(light, { ...options, datastore: peerRecords }, libp2p => {
    cachePeerStore(libp2p.peerStore, { ttlMs: PEER_STORE_CACHE_MS, maxPeers: PEER_STORE_CACHE_PEERS })
  }))
  const stop = async (): Promise<void> => {
    try {
      await helia.stop()
    } finally {
      await peerRecords.stop()
    }
  }
  try {
    await helia.start()
  } catch (err) {
    // a listen address taken, say: libp2p may have started some of its parts
    await stop().catch(() => {})
    throw err
  }
  return { helia, libp2p: helia.libp2p, peerId, connect: async () => { await dialBootstrap(helia.libp2p, init.bootstrap) }, stop }
}

/** Dial each bootstrap peer once; a peer that does not answer is logged, not fatal. */
async function dialBootstrap (libp2p: Libp2p, peers: string[]): Promise<void> {
  await Promise.all(peers.map(async addr => {
    try {
      await libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(BOOTSTRAP_DIAL_TIMEOUT_MS) })
    } catch (err: any) {
      log.error('could not dial bootstrap peer %s - %e', addr, err)
      process.emitWarning(`ipfs-kit: bootstrap peer ${addr} unreachable: ${err.message}`)
    }
  }))
}
