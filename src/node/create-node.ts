/**
 * Composing Helia explicitly (never `createHelia()`, whose public HTTP routers
 * and gateways hang without internet): our blockstore and datastore, plus
 * libp2p and bitswap when online. Offline, no libp2p is created at all, but
 * the persisted identity is still loaded so `id` answers the same.
 */
import * as dagJson from '@ipld/dag-json'
import { loadOrCreateSelfKey } from '@libp2p/config'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { HASHERS } from '../blocks/index.ts'
import { createHeliaLight } from './helia-light.ts'
import type { Libp2pMetricsFactory } from './libp2p-options.ts'
import type { Repo } from '../repo/index.ts'
import type { Helia } from '@helia/interface'
import type { Libp2p, PeerId } from '@libp2p/interface'

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
  /** libp2p's metrics implementation (src/metrics/libp2p-metrics.ts). @default none */
  metrics?: Libp2pMetricsFactory
}

export interface KitNode {
  helia: Helia
  /** Absent offline. */
  libp2p: Libp2p | undefined
  peerId: PeerId
  /**
   * Dial the bootstrap peers (each once; one that does not answer is logged, not fatal). Called by
   * the kit once every service has registered its protocols: a peer identifies us as we connect,
   * and a protocol handled after that is unknown to it (a puller that identified a worker before
   * its transfer server started never asked it for a piece).
   */
  connect(): Promise<void>
  stop(): Promise<void>
}

export async function createNode (init: NodeInit): Promise<KitNode> {
  const { blockstore, datastore } = init.repo
  const privateKey = await loadOrCreateSelfKey(datastore)
  const peerId = peerIdFromPrivateKey(privateKey)
  const light = createHeliaLight({ blockstore, datastore, hashers: HASHERS, codecs: [dagJson] })

  if (init.offline) {
    await light.start()
    return { helia: light, libp2p: undefined, peerId, connect: async () => {}, stop: async () => { await light.stop() } }
  }

  // the libp2p stack is loaded only by online nodes: offline ones (and one-shot CLI commands) start
  // in a fraction of the time and memory
  const { startOnline } = await import('./online.ts')
  return await startOnline(light, init, privateKey, peerId)
}
