import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import { cachePeerStore } from '../../src/node/peer-store-cache.ts'
import type { Kit } from '../../src/index.ts'
import type { PeerStore } from '@libp2p/interface'

describe('peer store cache (decoded peers in front of libp2p\'s peer store)', () => {
  let kit: Kit
  let dir: string
  let store: PeerStore
  let counter: { hits(): number }
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-peer-store-'))
    kit = await createKit({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'] })
    store = kit.libp2p!.peerStore
    // the kit's store is already wrapped; a second wrapper counts what it answers itself
    counter = cachePeerStore(store, { ttlMs: 60_000, maxPeers: 2 })
  })
  afterAll(async () => {
    await kit.stop()
    await rm(dir, { recursive: true, force: true })
  })
  const newPeer = async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))

  it('answers repeated reads and merges that add nothing from memory', async () => {
    const id = await newPeer()
    await store.merge(id, { protocols: ['/a/1'], multiaddrs: [multiaddr('/ip4/10.0.0.1/tcp/1')] })
    const hits = counter.hits()
    const first = await store.get(id)
    expect(await store.get(id)).toBe(first)
    expect(await store.has(id)).toBe(true)
    expect((await store.getInfo(id)).multiaddrs.map(String)).toEqual(['/ip4/10.0.0.1/tcp/1'])
    expect(await store.merge(id, { protocols: ['/a/1'] })).toBe(first)
    expect(counter.hits()).toBe(hits + 5)
  })

  it('never serves a peer older than the last write', async () => {
    const id = await newPeer()
    await store.merge(id, { protocols: ['/a/1'] })
    await store.get(id)
    expect((await store.merge(id, { protocols: ['/b/1'] })).protocols.sort()).toEqual(['/a/1', '/b/1'])
    expect((await store.get(id)).protocols.sort()).toEqual(['/a/1', '/b/1'])
    await store.patch(id, { protocols: ['/c/1'] })
    expect((await store.get(id)).protocols).toEqual(['/c/1'])
    await store.merge(id, { protocols: ['/c/1'], tags: { kept: { value: 5 } } })
    expect((await store.get(id)).tags.get('kept')?.value).toBe(5)
    await store.delete(id)
    await expect(store.get(id)).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(await store.has(id)).toBe(false)
  })

  it('keeps at most maxPeers peers', async () => {
    const ids = await Promise.all([newPeer(), newPeer(), newPeer()])
    for (const id of ids) await store.merge(id, { protocols: ['/a/1'] })
    const hits = counter.hits()
    await store.get(ids[2]!) // cached
    await store.get(ids[0]!) // dropped: the oldest of three with room for two
    expect(counter.hits()).toBe(hits + 1)
  })
})
