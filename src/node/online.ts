/** The online half of a node: libp2p, bitswap, private-cluster protection, bootstrap dials. */
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from './libp2p-light.ts'
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { BOOTSTRAP_DIAL_TIMEOUT_MS } from '../constants.ts'
import { allowListGater } from './allow-list.ts'
import { libp2pOptions } from './libp2p-options.ts'
import { readSwarmKey } from '../config/index.ts'
import { swarmKeyProtector } from './swarm-key.ts'
import type { KitNode, NodeInit } from './create-node.ts'
import type { Helia } from '@helia/interface'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'

const log = logger('ipfs-kit:node')

export async function startOnline (light: Helia, init: NodeInit, privateKey: PrivateKey, peerId: PeerId): Promise<KitNode> {
  // read before anything starts, so a bad key file fails the start with its path
  const swarmKey = init.swarmKey == null ? undefined : readSwarmKey(init.swarmKey)
  const helia = withBitswap(withLibp2pLight(light, libp2pOptions({
    privateKey,
    listen: init.listen,
    dhtProtocol: init.dhtProtocol,
    connectionProtector: swarmKey == null ? undefined : swarmKeyProtector(swarmKey),
    connectionGater: init.allowList == null ? undefined : allowListGater({ allowed: init.allowList, self: peerId }),
    metrics: init.metrics
  })))
  try {
    await helia.start()
  } catch (err) {
    // a listen address taken, say: libp2p may have started some of its parts
    await helia.stop().catch(() => {})
    throw err
  }
  await dialBootstrap(helia.libp2p, init.bootstrap)
  return { helia, libp2p: helia.libp2p, peerId, stop: async () => { await helia.stop() } }
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
