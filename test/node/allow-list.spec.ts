/**
 * The allow-list gater, alone and in real in-process nodes: an excluded peer
 * gets no connection, so its gossipsub messages never reach us.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import { loadConfig } from '../../src/config/index.ts'
import { allowListGater } from '../../src/node/index.ts'
import type { Kit } from '../../src/index.ts'
import type { PeerId } from '@libp2p/interface'

async function until (condition: () => boolean | undefined, message: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (condition() !== true) {
    if (Date.now() > deadline) throw new Error(message)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

const newPeerId = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))

describe('allowListGater', () => {
  it('denies every step for a peer not on the list and none for one on it, or for itself', async () => {
    const [self, friend, stranger] = await Promise.all([newPeerId(), newPeerId(), newPeerId()])
    const gater = allowListGater({ allowed: [friend.toString()], self })
    const maConn = {} as any
    const checks: Array<[string, (peer: PeerId) => boolean | Promise<boolean> | undefined]> = [
      ['denyDialPeer', p => gater.denyDialPeer?.(p)],
      ['denyOutboundConnection', p => gater.denyOutboundConnection?.(p, maConn)],
      ['denyInboundEncryptedConnection', p => gater.denyInboundEncryptedConnection?.(p, maConn)],
      ['denyOutboundEncryptedConnection', p => gater.denyOutboundEncryptedConnection?.(p, maConn)],
      ['denyInboundUpgradedConnection', p => gater.denyInboundUpgradedConnection?.(p, maConn)],
      ['denyOutboundUpgradedConnection', p => gater.denyOutboundUpgradedConnection?.(p, maConn)],
      ['denyInboundRelayReservation', p => gater.denyInboundRelayReservation?.(p)],
      ['denyInboundRelayedConnection', p => gater.denyInboundRelayedConnection?.(friend, p)],
      ['denyOutboundRelayedConnection', p => gater.denyOutboundRelayedConnection?.(self, p)]
    ]
    for (const [name, check] of checks) {
      expect(await check(stranger), `${name}(stranger)`).toBe(true)
      expect(await check(friend), `${name}(friend)`).toBe(false)
      expect(await check(self), `${name}(self)`).toBe(false)
    }
    expect(gater.denyInboundRelayedConnection?.(stranger, friend)).toBe(true)
  })
})

describe('node.allow_list in the config', () => {
  it('is null by default (anyone may connect)', () => {
    expect(loadConfig({ env: {} }).ipfs_kit.node.allow_list).toBeNull()
  })

  it('fails to load with a ConfigError naming the entry when a peer id is malformed', async () => {
    const good = (await newPeerId()).toString()
    expect(() => loadConfig({ env: {}, overrides: { ipfs_kit: { node: { allow_list: [good, '12D3KooWnotapeer'] } } } }))
      .toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('ipfs_kit.node.allow_list.1: expected a peer id like 12D3KooW…, got "12D3KooWnotapeer"') }))
  })
})

describe('an allow-list on real nodes', () => {
  const kits: Kit[] = []
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(kits.splice(0).map(async kit => { await kit.stop() }))
    await Promise.all(dirs.splice(0).map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  })

  /** A data directory and the peer id its node will have (learned from an offline start). */
  const identity = async (): Promise<{ dataDir: string, peerId: string }> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ipfs-kit-allow-'))
    dirs.push(dataDir)
    const kit = await createKit({ dataDir, offline: true, env: {} })
    const peerId = kit.peerId.toString()
    await kit.stop()
    return { dataDir, peerId }
  }

  const start = async (dataDir: string, allowList: string[] | null): Promise<Kit> => {
    const kit = await createKit({ dataDir, env: {}, listen: ['/ip4/127.0.0.1/tcp/0'], config: { ipfs_kit: { node: { allow_list: allowList } } } })
    kits.push(kit)
    return kit
  }

  it('gives an excluded peer no connection, so its gossipsub messages never arrive while a listed peer\'s do', async () => {
    const [a, b, c] = await Promise.all([identity(), identity(), identity()])
    const members = [a.peerId, b.peerId]
    const kitA = await start(a.dataDir, members)
    const kitB = await start(b.dataDir, members)
    const kitC = await start(c.dataDir, null) // C itself would accept anyone

    const topic = 'ipfs-kit/test/announce'
    const pubsub = (kit: Kit): any => (kit.libp2p as any).services.pubsub
    const received: Array<{ from: string, text: string }> = []
    pubsub(kitA).addEventListener('message', (evt: any) => {
      if (evt.detail.topic === topic) received.push({ from: evt.detail.from?.toString(), text: new TextDecoder().decode(evt.detail.data) })
    })
    for (const kit of [kitA, kitB, kitC]) pubsub(kit).subscribe(topic)

    const connectedToA: string[] = []
    kitA.libp2p?.addEventListener('connection:open', evt => { connectedToA.push(evt.detail.remotePeer.toString()) })

    // A dialing C is refused before a byte is sent
    await expect(kitA.dial(kitC.addresses()[0] ?? '')).rejects.toThrow(/blocked by gater/)
    // C dialing A: A refuses once noise has authenticated C. C's own dial may
    // already have counted as done (the muxer is agreed inside the noise
    // handshake), but A closes the socket and never opens a connection
    await kitC.dial(kitA.addresses()[0] ?? '').catch(() => {})
    await until(() => kitC.libp2p?.getConnections().length === 0, 'C still has a connection to A')
    await kitB.dial(kitA.addresses()[0] ?? '')

    // wait until A sees B in the topic, then let B (listed) and C (excluded) publish
    await until(() => pubsub(kitA).getSubscribers(topic).some((p: PeerId) => p.toString() === b.peerId), 'A never saw B subscribe')
    // and B must know A subscribes, or its publish (allowed to zero topic peers) goes to nobody
    await until(() => pubsub(kitB).getSubscribers(topic).some((p: PeerId) => p.toString() === a.peerId), 'B never saw A subscribe')
    await pubsub(kitC).publish(topic, new TextEncoder().encode('from C'))
    await pubsub(kitB).publish(topic, new TextEncoder().encode('from B'))
    await until(() => received.some(m => m.text === 'from B'), 'A never received B\'s message')
    // give C's message every chance to arrive: two gossipsub heartbeats
    await new Promise(resolve => setTimeout(resolve, 2_000))

    expect(received.map(m => m.from)).not.toContain(c.peerId)
    expect(received.map(m => m.text)).toEqual(['from B'])
    expect(connectedToA).not.toContain(c.peerId)
    expect(connectedToA).toContain(b.peerId)
    expect(kitA.libp2p?.getPeers().map(String)).toEqual([b.peerId])
    expect(kitC.libp2p?.getPeers()).toEqual([])
  }, 60_000)
})
