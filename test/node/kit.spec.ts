import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import type { Kit } from '../../src/index.ts'

describe('createKit', () => {
  const kits: Kit[] = []
  const dirs: string[] = []
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-node-'))
    dirs.push(dir)
    return dir
  }

  afterEach(async () => {
    await Promise.all(kits.splice(0).map(async kit => { await kit.stop() }))
    await Promise.all(dirs.splice(0).map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  })

  it('raises OfflineError from network-only calls when offline', async () => {
    const kit = await createKit({ dataDir: await tempDir(), offline: true })
    kits.push(kit)
    expect(kit.libp2p).toBeUndefined()
    expect(kit.addresses()).toEqual([])
    await expect(kit.dial('/ip4/127.0.0.1/tcp/1/p2p/12D3KooWAYfqoAPpVHDw4gHrAWL1ayoRSxjSXn4XvtGvufiZMuEW')).rejects.toMatchObject({ name: 'OfflineError', code: 'ERR_OFFLINE' })
    const providers = kit.findProviders('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    await expect(providers.next()).rejects.toMatchObject({ name: 'OfflineError' })
  })

  it('gives the same CIDs online and offline', async () => {
    const offline = await createKit({ dataDir: await tempDir(), offline: true })
    kits.push(offline)
    const online = await createKit({ dataDir: await tempDir(), listen: ['/ip4/127.0.0.1/tcp/0'] })
    kits.push(online)
    expect(online.libp2p?.status).toBe('started')
    expect(online.addresses().some(a => a.includes('/p2p/' + online.peerId.toString()))).toBe(true)
    const bytes = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => (i * 31) % 251)
    expect(await online.storage.store(bytes)).toBe(await offline.storage.store(bytes))
    expect(online.storage.isAvailable()).toBe(true)
    expect((await online.storage.status()).ipfsKitAvailable).toBe(true)
  })

  it('speaks kad-dht on the private protocol by default and the public one by config', async () => {
    const priv = await createKit({ dataDir: await tempDir(), listen: ['/ip4/127.0.0.1/tcp/0'] })
    kits.push(priv)
    expect(priv.libp2p?.getProtocols()).toContain('/ipfs-kit/kad/1.0.0')
    expect(priv.libp2p?.getProtocols()).not.toContain('/ipfs/kad/1.0.0')
    const pub = await createKit({ dataDir: await tempDir(), listen: ['/ip4/127.0.0.1/tcp/0'], config: { ipfs_kit: { node: { dht_protocol: '/ipfs/kad/1.0.0' } } } })
    kits.push(pub)
    expect(pub.libp2p?.getProtocols()).toContain('/ipfs/kad/1.0.0')
    expect(pub.libp2p?.getProtocols()).toContain('/ipfs/bitswap/1.2.0')
  })

  it('refuses a second kit on the same data directory in one process', async () => {
    const dir = await tempDir()
    const kit = await createKit({ dataDir: dir, offline: true })
    kits.push(kit)
    await expect(createKit({ dataDir: dir, offline: true })).rejects.toMatchObject({ name: 'RepoLockedError', dataDir: dir })
  })

  it('lays the repo out as blocks/ and datastore/ under the data directory', async () => {
    const dir = await tempDir()
    const kit = await createKit({ dataDir: join(dir, 'a', 'b'), offline: true })
    kits.push(kit)
    await kit.storage.store('x')
    const { readdir } = await import('node:fs/promises')
    expect((await readdir(join(dir, 'a', 'b'))).sort()).toEqual(expect.arrayContaining(['blocks', 'datastore']))
  })
})
