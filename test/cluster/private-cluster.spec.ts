/**
 * Private clusters with real node processes: a swarm key (libp2p pnet) keeps
 * out every node without it, and an allow-list keeps out nodes that have the
 * key but are not listed, in both directions.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { PeerError, startPeer, waitForPeers } from '../../peers/harness.ts'
import { generateSwarmKey } from '../../src/config/index.ts'
import type { Peer, StartPeerOptions } from '../../peers/harness.ts'

/**
 * `dial` fails inside the peer (a PeerError, not the harness timing out) the way a handshake cut off by
 * pnet fails: which of these libp2p reports depends on which side notices first.
 */
async function expectRefused (dial: Promise<unknown>): Promise<void> {
  const err = await dial.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(PeerError)
  const { name, message } = err as PeerError
  expect(`${name}: ${message}`).toMatch(/^(EncryptionFailedError|TimeoutError): |ECONNRESET/)
}

describe('a private cluster of node processes', () => {
  const peers: Peer[] = []
  let dir: string
  let clusterKey: string
  let otherKey: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-private-'))
    clusterKey = join(dir, 'cluster.key')
    otherKey = join(dir, 'other.key')
    await writeFile(clusterKey, generateSwarmKey(), { mode: 0o600 })
    await writeFile(otherKey, generateSwarmKey(), { mode: 0o600 })
  })
  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async p => { await p.stop() }))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  let configs = 0
  /** A per-peer YAML config file setting `node.swarm_key` and `node.allow_list`. */
  const configFile = async (node: { swarm_key?: string, allow_list?: string[] }): Promise<string> => {
    const file = join(dir, `peer-${++configs}.yaml`)
    await writeFile(file, stringify({ ipfs_kit: { node } }))
    return file
  }

  const start = async (options: StartPeerOptions): Promise<Peer> => {
    const peer = await startPeer(options)
    peers.push(peer)
    return peer
  }

  /** C's dial to A fails, or the connection it got is closed at once; A never lists C. */
  const expectNoConnection = async (a: Peer, c: Peer): Promise<void> => {
    await c.call('dial', { address: a.addresses[0] ?? '' }).catch(() => {})
    const deadline = Date.now() + 5_000
    while ((await c.call('peers', {})).length > 0) {
      if (Date.now() > deadline) throw new Error(`${c.peerId} is still connected to ${a.peerId}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(await a.call('peers', {})).not.toContain(c.peerId)
  }

  it('connects two peers with the same swarm key and transfers a file between them', async () => {
    const file = join(dir, 'model.bin')
    const bytes = randomBytes(300 * 1024)
    await writeFile(file, bytes)

    const config = await configFile({ swarm_key: clusterKey })
    const a = await start({ configFile: config })
    const cid = await a.call('store', { path: file, pin: true })
    const b = await start({ configFile: config, bootstrap: a.addresses })
    expect(await waitForPeers(b, 1)).toEqual([a.peerId])

    const received = await b.call('retrieveToFile', { cid, path: join(dir, 'received.bin') }, { timeoutMs: 30_000 })
    expect(received).toEqual({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })
  })

  it('refuses a peer without a swarm key, in both directions', async () => {
    const a = await start({ configFile: await configFile({ swarm_key: clusterKey }) })
    const outsider = await start({})
    await expectRefused(outsider.call('dial', { address: a.addresses[0] ?? '' }))
    await expectRefused(a.call('dial', { address: outsider.addresses[0] ?? '' }))
    await expectNoConnection(a, outsider)
    expect(await a.call('peers', {})).toEqual([])
  })

  it('refuses a peer with another swarm key, in both directions', async () => {
    const a = await start({ configFile: await configFile({ swarm_key: clusterKey }) })
    const outsider = await start({ configFile: await configFile({ swarm_key: otherKey }) })
    await expectRefused(outsider.call('dial', { address: a.addresses[0] ?? '' }))
    await expectRefused(a.call('dial', { address: outsider.addresses[0] ?? '' }))
    await expectNoConnection(a, outsider)
    expect(await a.call('peers', {})).toEqual([])
  })

  it('refuses a peer that has the swarm key but is not on the allow-list, in both directions', async () => {
    // identities persist per data directory: learn them from an offline start
    const identities = await Promise.all([0, 1, 2].map(async () => {
      const dataDir = await mkdtemp(join(dir, 'data-'))
      const peer = await startPeer({ dataDir, offline: true })
      await peer.stop()
      return { dataDir, peerId: peer.peerId }
    }))
    const [ia, ib, ic] = identities as [typeof identities[0], typeof identities[0], typeof identities[0]]
    const members = await configFile({ swarm_key: clusterKey, allow_list: [ia.peerId, ib.peerId] })

    const a = await start({ dataDir: ia.dataDir, configFile: members })
    const b = await start({ dataDir: ib.dataDir, configFile: members, bootstrap: a.addresses })
    // C has the key and lets anyone in; only A's and B's list keeps it out
    const c = await start({ dataDir: ic.dataDir, configFile: await configFile({ swarm_key: clusterKey }) })
    expect([a.peerId, b.peerId, c.peerId]).toEqual([ia.peerId, ib.peerId, ic.peerId])
    expect(await waitForPeers(b, 1)).toEqual([a.peerId])

    await expect(a.call('dial', { address: c.addresses[0] ?? '' })).rejects.toThrow(/blocked by gater/)
    await expectNoConnection(a, c)
    await expectNoConnection(b, c)
    expect(await a.call('peers', {})).toEqual([b.peerId])
  })
})
