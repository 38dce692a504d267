/**
 * Composing Helia explicitly (never `createHelia()`, whose public HTTP routers
 * and gateways hang without internet): our blockstore and datastore, plus
 * libp2p and bitswap when online. Offline, no libp2p is created at all, but
 * the persisted identity is still loaded so `id` answers the same.
 */
import { withBitswap } from '@helia/bitswap'
import * as dagJson from '@ipld/dag-json'
import { withLibp2pLight } from '@helia/libp2p'
import { loadOrCreateSelfKey } from '@libp2p/config'
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createHeliaLight } from 'helia'
import { HASHERS } from '../blocks/index.ts'
import { allowListGater } from './allow-list.ts'
import { libp2pOptions } from './libp2p-options.ts'
import { readSwarmKey, swarmKeyProtector } from './swarm-key.ts'
import type { Repo } from '../repo/index.ts'
import type { Helia } from '@helia/interface'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { BOOTSTRAP_DIAL_TIMEOUT_MS } from '../constants.ts'

const log = logger('ipfs-kit:node')


export interface NodeInit {
  repo: Repo
  offline: boolean
  listen: string[]
  bootstrap: string[]
  dhtProtocol: string
  /**
   * A swarm key file path, or the key text itself (swarm-key.ts): only nodes
   * with the same key can connect. @default null: a public network
   */
  swarmKey?: string | null
  /** Peer ids that may connect, both directions. @default null: anyone */
  allowList?: string[] | null
}

export interface KitNode {
  helia: Helia
  /** Absent offline. */
  libp2p: Libp2p | undefined
  peerId: PeerId
  stop(): Promise<void>
}

export async function createNode (init: NodeInit): Promise<KitNode> {
  const { blockstore, datastore } = init.repo
  const privateKey = await loadOrCreateSelfKey(datastore)
  const peerId = peerIdFromPrivateKey(privateKey)
  const light = createHeliaLight({ blockstore, datastore, hashers: HASHERS, codecs: [dagJson] })

  if (init.offline) {
    await light.start()
    return { helia: light, libp2p: undefined, peerId, stop: async () => { await light.stop() } }
  }

  // read before anything starts, so a bad key file fails the start with its path
  const swarmKey = init.swarmKey == null ? undefined : readSwarmKey(init.swarmKey)
  const helia = withBitswap(withLibp2pLight(light, libp2pOptions({
    privateKey,
    listen: init.listen,
    dhtProtocol: init.dhtProtocol,
    connectionProtector: swarmKey == null ? undefined : swarmKeyProtector(swarmKey),
    connectionGater: init.allowList == null ? undefined : allowListGater({ allowed: init.allowList, self: peerId })
  })))
  await helia.start()
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
