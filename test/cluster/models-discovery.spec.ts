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
  let far: Peer
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
    // far is connected only to edge: never to the provider
    far = await startPeer({ bootstrap: edge.addresses })
    peers.push(far)
    await waitForPeers(far, 1)
  }, 120_000)

  afterAll(async () => {
    await Promise.all(peers.map(async p => { await p.stop() }))
    await sandbox.cleanup()
  })

  it('hears of the provider through gossip alone', async () => {
    // first, so that the index holds only what gossip brought
    let found: Array<{ peerId: string, root: string, via: string }> = []
    for (let attempt = 0; attempt < 40 && !found.some(p => p.peerId === provider.peerId); attempt++) {
      found = await far.call('modelProviders', { name: 'acme/chain', sources: ['gossip'], timeoutMs: 100 })
      if (found.length === 0) await new Promise(resolve => setTimeout(resolve, 500))
    }
    expect(found.find(p => p.peerId === provider.peerId)).toMatchObject({ root, via: 'gossip' })
  }, 60_000)

  it('finds the provider through the DHT alone', async () => {
    expect(await far.call('peers', {})).not.toContain(provider.peerId)
    let found: Array<{ peerId: string, root: string, via: string }> = []
    for (let attempt = 0; attempt < 10 && found.length === 0; attempt++) {
      found = await far.call('modelProviders', { name: 'acme/chain', sources: ['dht'], timeoutMs: 5000 })
    }
    expect(found).toContainEqual({ peerId: provider.peerId, root, via: 'dht' })
  }, 90_000)
})
