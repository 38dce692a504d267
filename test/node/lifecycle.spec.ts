/**
 * A kit's life: services start from one ordered list and stop in reverse; a
 * start that fails at any step stops what it had started and releases the
 * data directory (and its listen port); every call after stop() raises
 * KitStoppedError.
 */
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit, KitOptions } from '../../src/index.ts'

const SERVICES = ['repo', 'trust', 'node', 'transfer', 'storage', 'models', 'datasets', 'cache', 'seeding', 'metrics', 'auto-gc', 'auto-tier']

/** A TCP port free right now on loopback. */
async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

describe('kit lifecycle', () => {
  const sandbox = new Sandbox()
  const kits: Kit[] = []
  afterEach(async () => {
    for (const kit of kits.splice(0)) await kit.stop()
    await sandbox.cleanup()
  })
  const open = async (options: KitOptions): Promise<Kit> => {
    const kit = await createKit({ bootstrap: [], env: {}, ...options })
    kits.push(kit)
    return kit
  }

  it('starts its services in one documented order', async () => {
    const order: string[] = []
    await open({ dataDir: await sandbox.dir(), listen: ['/ip4/127.0.0.1/tcp/0'], onProgress: e => { order.push(e.detail.name) } })
    expect(order).toEqual(SERVICES)
  })

  it.each(SERVICES)('a start failing after %s stops what started: the directory and the port open again at once', async (failAt) => {
    const dataDir = await sandbox.dir()
    const listen = [`/ip4/127.0.0.1/tcp/${await freePort()}`]
    const fault = new Error(`fault after ${failAt}`)
    await expect(createKit({ dataDir, listen, bootstrap: [], env: {}, onProgress: e => { if (e.detail.name === failAt) throw fault } })).rejects.toBe(fault)
    const kit = await open({ dataDir, listen })
    const cid = await kit.storage.store('still works')
    expect(new TextDecoder().decode(await kit.storage.retrieve(cid))).toBe('still works')
    expect(kit.addresses().some(a => a.includes(listen[0] as string))).toBe(true)
  })

  it('dials its bootstrap peers only once every protocol is handled: they identify it with all of them', async () => {
    // identify runs as a connection opens; a protocol handled after that stays unknown to the peer
    // (a puller never asked a worker whose transfer server started after it was identified)
    const first = await open({ dataDir: await sandbox.dir(), listen: ['/ip4/127.0.0.1/tcp/0'] })
    const second = await open({ dataDir: await sandbox.dir(), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: first.addresses() })
    const libp2p = first.libp2p as NonNullable<typeof first.libp2p>
    const deadline = Date.now() + 10_000
    let identified: string[] = []
    while (Date.now() < deadline) {
      const peer = await libp2p.peerStore.get(second.libp2p?.peerId as any).catch(() => undefined)
      if (peer?.metadata.has('AgentVersion') === true) {
        identified = peer.protocols
        break
      }
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    const ours = second.protocols().filter(p => p.startsWith('/ipfs-kit/'))
    expect(ours.length).toBeGreaterThanOrEqual(4) // transfer 1.1.0 and 1.0.0, models, datasets, cache, seeding
    expect(identified).toEqual(expect.arrayContaining(ours))
  })

  it('a listen port already taken fails the start and leaves the directory free', async () => {
    const taken = net.createServer()
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
    try {
      const dataDir = await sandbox.dir()
      const port = (taken.address() as net.AddressInfo).port
      await expect(createKit({ dataDir, listen: [`/ip4/127.0.0.1/tcp/${port}`], bootstrap: [], env: {} })).rejects.toThrow(/EADDRINUSE|address already in use|listen/i)
      const kit = await open({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'] })
      expect(kit.addresses().length).toBeGreaterThan(0)
    } finally {
      await new Promise(resolve => taken.close(resolve))
    }
  })

  it('a bad swarm key fails the start and leaves the directory free', async () => {
    const dataDir = await sandbox.dir()
    const keyFile = join(await sandbox.dir(), 'swarm.key')
    await writeFile(keyFile, 'not a swarm key\n')
    await expect(createKit({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], env: {}, config: { ipfs_kit: { node: { swarm_key: keyFile } } } })).rejects.toMatchObject({ name: 'ConfigError' })
    const kit = await open({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'] })
    expect(kit.offline).toBe(false)
  })

  it('a damaged datastore fails the start with RepoCorruptError and holds no lock', async () => {
    const dataDir = await sandbox.dir()
    const first = await createKit({ dataDir, offline: true, env: {} })
    await first.stop()
    await writeFile(join(dataDir, 'datastore', 'CURRENT'), 'garbage')
    await expect(createKit({ dataDir, offline: true, env: {} })).rejects.toMatchObject({ name: 'RepoCorruptError' })
    // a second try says the same thing, not RepoLockedError: the failed open released the lock
    await expect(createKit({ dataDir, offline: true, env: {} })).rejects.toMatchObject({ name: 'RepoCorruptError' })
  })

  it('raises KitStoppedError from storage, models and metrics calls after stop()', async () => {
    const kit = await createKit({ dataDir: await sandbox.dir(), offline: true, env: {} })
    const cid = await kit.storage.store('hello')
    await kit.stop()
    await kit.stop() // twice is fine
    const stopped = { name: 'KitStoppedError', code: 'ERR_KIT_STOPPED' }
    await expect(kit.storage.store('more')).rejects.toMatchObject(stopped)
    await expect(kit.storage.retrieve(cid)).rejects.toMatchObject(stopped)
    await expect(kit.storage.exists(cid)).rejects.toMatchObject(stopped)
    await expect(kit.storage.pin(cid)).rejects.toMatchObject(stopped)
    await expect(kit.storage.listFiles()).rejects.toMatchObject(stopped)
    await expect(kit.storage.gc()).rejects.toMatchObject(stopped)
    await expect(kit.storage.stream(cid).next()).rejects.toMatchObject(stopped)
    await expect(kit.models.list()).rejects.toMatchObject(stopped)
    await expect(kit.models.pull('acme/x')).rejects.toMatchObject(stopped)
    await expect(kit.metrics()).rejects.toMatchObject(stopped)
    await expect(kit.status()).rejects.toMatchObject(stopped)
    expect(kit.storage.isAvailable()).toBe(false)
    // and the directory is free again
    const again = await open({ dataDir: kit.dataDir, offline: true })
    expect(await again.storage.retrieve(cid)).toEqual(new TextEncoder().encode('hello'))
  })
})
