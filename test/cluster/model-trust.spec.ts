/**
 * Names bound to publisher keys, across real processes: a hijacker who
 * publishes `acme/bert` first with its own key, a forger whose `resolve` and
 * `index` answers name other peers and roots it cannot serve, and a yank.
 * A puller believes a name → root binding only from a signed record whose
 * publisher it trusts.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Peer, StartPeerOptions } from '../../peers/harness.ts'

const NAME = 'acme/bert'

describe('trust in model names across processes', () => {
  const sandbox = new Sandbox()
  const pullers: Peer[] = []
  let genuine: Peer
  let hijacker: Peer
  let genuineRoot: string
  let hijackRoot: string
  let genuineId: string
  let hijackerId: string

  const modelDir = async (bytes: Buffer): Promise<string> => {
    const dir = await sandbox.dir()
    await mkdir(join(dir, 'sub'))
    await writeFile(join(dir, 'model.safetensors'), bytes)
    await writeFile(join(dir, 'sub', 'config.json'), '{}')
    return dir
  }
  const puller = async (options: StartPeerOptions): Promise<Peer> => {
    const peer = await startPeer(options)
    pullers.push(peer)
    await waitForPeers(peer, 1)
    return peer
  }

  beforeAll(async () => {
    hijacker = await startPeer()
    genuine = await startPeer({ bootstrap: hijacker.addresses })
    // the hijacker publishes the name first, with other weights and its own key
    hijackRoot = (await hijacker.call('modelPublish', { dir: await modelDir(randomBytes(200_000)), name: NAME })).root
    genuineRoot = (await genuine.call('modelPublish', { dir: await modelDir(randomBytes(200_000)), name: NAME })).root
    genuineId = await genuine.call('publisher', {})
    hijackerId = await hijacker.call('publisher', {})
    expect(genuineId).not.toBe(hijackerId)
  }, 90_000)
  afterEach(async () => {
    await Promise.all(pullers.splice(0).map(async p => { await p.stop() }))
  })
  afterAll(async () => {
    await Promise.all([genuine?.stop(), hijacker?.stop()])
    await sandbox.cleanup()
  })

  it('pulls the configured publisher\'s weights although a hijacker published the name first; providers marks the hijacker untrusted', async () => {
    const p = await puller({ bootstrap: [...hijacker.addresses, ...genuine.addresses], trustedPublishers: { acme: [genuineId] } })
    const pulled = await p.call('modelPull', { name: NAME, findTimeoutMs: 3000 }, { timeoutMs: 60_000 })
    expect(pulled.root).toBe(genuineRoot)
    const providers = await p.call('modelProviders', { name: NAME, timeoutMs: 2000 })
    expect(providers.find(x => x.root === hijackRoot)).toMatchObject({ publisher: hijackerId, trusted: false })
    expect(providers.find(x => x.root === genuineRoot)).toMatchObject({ publisher: genuineId, trusted: true })
  })

  it('with no trust record, two publishers for one name refuse the pull naming both; after `trust` it pulls the trusted one', async () => {
    const p = await puller({ bootstrap: [...hijacker.addresses, ...genuine.addresses] })
    const refused = await p.call('modelPull', { name: NAME, findTimeoutMs: 3000 }, { timeoutMs: 60_000 }).catch((err: any) => err)
    expect(refused).toMatchObject({ name: 'UntrustedPublisherError' })
    expect(refused.message).toContain(genuineId)
    expect(refused.message).toContain(hijackerId)
    await p.call('modelTrust', { org: 'acme', publisher: genuineId })
    expect((await p.call('modelPull', { name: NAME, findTimeoutMs: 3000 }, { timeoutMs: 60_000 })).root).toBe(genuineRoot)
  })

  it('a forger naming the honest peer with a bad root, and a root it cannot serve, does not divert or end the pull', async () => {
    const forger = await startPeer({ bootstrap: genuine.addresses })
    pullers.push(forger)
    await waitForPeers(forger, 1)
    const unservable = CID.createV1(raw.code, await sha256.digest(randomBytes(32))).toString()
    await forger.call('forgeModels', {
      // "I hold acme/bert at a root" that nobody can serve
      models: [{ name: NAME, revision: 'main', root: unservable }],
      // "the genuine peer holds the hijacker's root": a statement about a third party
      entries: [{ name: NAME, revision: 'main', peerId: genuine.peerId, addresses: genuine.addresses, root: hijackRoot }]
    })
    const p = await puller({ bootstrap: forger.addresses, trustedPublishers: { acme: [genuineId] } })
    const started = Date.now()
    // the genuine provider is reached only through the forger (its referral, the DHT, gossip it relays):
    // the default find window, which a trusted record ends early (after its settle time)
    const pulled = await p.call('modelPull', { name: NAME, manifestTimeoutMs: 2000 }, { timeoutMs: 60_000 })
    expect(pulled.root).toBe(genuineRoot)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('a yanked revision is not pulled, and providers shows the yank', async () => {
    const publisher = await startPeer({ bootstrap: genuine.addresses })
    pullers.push(publisher)
    const root = (await publisher.call('modelPublish', { dir: await modelDir(randomBytes(50_000)), name: 'yanky/model' })).root
    const id = await publisher.call('publisher', {})
    const p = await puller({ bootstrap: publisher.addresses })
    expect((await p.call('modelPull', { name: 'yanky/model', findTimeoutMs: 3000 }, { timeoutMs: 60_000 })).root).toBe(root)
    const yank = await publisher.call('modelYank', { name: 'yanky/model' })
    const q = await puller({ bootstrap: [publisher.addresses[0] as string, ...p.addresses] })
    await q.call('modelTrust', { org: 'yanky', publisher: id })
    const refused = await q.call('modelPull', { name: 'yanky/model', findTimeoutMs: 3000 }, { timeoutMs: 60_000 }).catch((err: any) => err)
    expect(refused).toMatchObject({ name: 'ModelYankedError' })
    const providers = await q.call('modelProviders', { name: 'yanky/model', timeoutMs: 2000 })
    expect(providers.find(x => x.root === yank.root)).toMatchObject({ yanked: true, publisher: id })
  })
})
