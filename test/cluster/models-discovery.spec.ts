/**
 * Each discovery mechanism alone finds a provider the asking node is not
 * connected to: the DHT provider record, and the gossip announcements that
 * travel across the mesh.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Peer } from '../../peers/harness.ts'

describe('model discovery across a chain of nodes', () => {
  const sandbox = new Sandbox()
  const peers: Peer[] = []
  let provider: Peer
  /**
   * One node per test, bootstrapped only to `edge`. (It may come to dial the provider on its own: the
   * index edge shares at identify refers it there. So no test here assumes it is not connected.)
   */
  const far: Record<'dht' | 'peers' | 'gossip', Peer> = {} as any
  let root: string

  beforeAll(async () => {
    const dir = await sandbox.dir()
    await writeFile(join(dir, 'config.json'), '{"chain": true}')
    provider = await startPeer()
    peers.push(provider)
    const middle = await startPeer({ bootstrap: provider.addresses })
    peers.push(middle)
    const edge = await startPeer({ bootstrap: middle.addresses })
    peers.push(edge)
    await waitForPeers(edge, 1)
    root = (await provider.call('modelPublish', { dir, name: 'acme/chain' })).root
    for (const key of ['dht', 'peers', 'gossip'] as const) {
      far[key] = await startPeer({ bootstrap: edge.addresses })
      peers.push(far[key])
      await waitForPeers(far[key], 1)
    }
  }, 120_000)

  afterAll(async () => {
    await Promise.all(peers.map(async p => { await p.stop() }))
    await sandbox.cleanup()
  })

  it('finds, through its neighbour, a model announced before it joined, without the DHT', async () => {
    // the neighbour does not hold the model; it refers far to the provider, which far then asks itself
    const found = await far.peers.call('modelProviders', { name: 'acme/chain', sources: ['peers'], timeoutMs: 3000 })
    expect(found).toContainEqual(expect.objectContaining({ peerId: provider.peerId, root, via: 'peers', trusted: true }))
  })

  it('hears, with no query of its own, of a model published after it joined (gossip across the mesh)', async () => {
    const dir = await sandbox.dir()
    await writeFile(join(dir, 'weights.bin'), 'live')
    const live = (await provider.call('modelPublish', { dir, name: 'acme/chain-live' })).root
    let found: Array<{ peerId: string, root: string, via: string }> = []
    for (let attempt = 0; attempt < 40 && found.length === 0; attempt++) {
      found = await far.gossip.call('modelProviders', { name: 'acme/chain-live', sources: ['gossip'], timeoutMs: 100 })
      if (found.length === 0) await new Promise(resolve => setTimeout(resolve, 250))
    }
    // sources ['gossip'] reads only the node's own index: it was filled by announcements (or by the
    // index its neighbour shares when identify runs again), never by asking anyone now
    expect(found.map(p => [p.peerId, p.root])).toContainEqual([provider.peerId, live])
  }, 30_000)

  it('finds the provider through the DHT alone', async () => {
    let found: Array<{ peerId: string, root: string, via: string }> = []
    for (let attempt = 0; attempt < 10 && found.length === 0; attempt++) {
      found = await far.dht.call('modelProviders', { name: 'acme/chain', sources: ['dht'], timeoutMs: 5000 })
    }
    expect(found).toContainEqual(expect.objectContaining({ peerId: provider.peerId, root, via: 'dht', trusted: true }))
  }, 90_000)
})
