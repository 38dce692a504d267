/**
 * Transfer 1.1.0 between processes: a puller announces the blocks it gets to
 * the peers of its session (the seed learns of them without asking anyone),
 * and 1.0.0 compatibility both ways — a node started with `transfer.versions:
 * ["1.0.0"]` (it registers and speaks only the old protocol, so announces
 * nothing) fetches from a 1.1.0 node and serves one, over the transfer
 * protocol (not the bitswap fallback).
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0 } from '../../src/constants.ts'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { MiB, writeRandomFile } from '../fixtures/random-file.ts'
import type { Peer } from '../../peers/harness.ts'

const NAME = 'acme/swarm-test'
const SIZE = 6 * MiB + 5
/** 1 MiB leaves: 7 of them, and the root. */
const BLOCKS = 8

/** Poll `read` until `done` holds of its value (the announcer sends within ~100 ms; the deadline is generous). */
async function until<T> (read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (true) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('transfer 1.1.0: have-announcements and 1.0.0 peers', () => {
  const sandbox = new Sandbox()
  const peers: Peer[] = []
  let modelDir: string
  let sha: string
  let seed: Peer

  const start = async (options: Parameters<typeof startPeer>[0] = {}): Promise<Peer> => {
    const peer = await startPeer(options)
    peers.push(peer)
    return peer
  }
  const checkFile = async (dest: string): Promise<void> => {
    expect(createHash('sha256').update(await readFile(join(dest, 'weights.bin'))).digest('hex')).toBe(sha)
  }

  beforeAll(async () => {
    modelDir = await sandbox.dir()
    sha = await writeRandomFile(join(modelDir, 'weights.bin'), SIZE)
    seed = await start()
    await seed.call('modelPublish', { dir: modelDir, name: NAME })
  }, 60_000)

  afterAll(async () => {
    await Promise.all(peers.map(async p => { await p.stop() }))
    await sandbox.cleanup()
  })

  it('a puller announces every block it gets to its session\'s peers: the seed learns of them without asking', async () => {
    const puller = await start({ bootstrap: seed.addresses })
    await waitForPeers(puller, 1)
    const dest = await sandbox.dir()
    const result = await puller.call('modelPull', { name: NAME, dest }, { timeoutMs: 60_000 })
    await checkFile(dest)
    // the seed never asks anyone for anything (it holds the model), yet it knows what the puller holds
    const announced = await until(async () => await seed.call('transferAnnounced', { peer: puller.peerId }), blocks => blocks.length >= BLOCKS, 'blocks the seed heard the puller announce')
    expect(announced).toContain(result.root)
    expect(new Set(announced).size).toBe(announced.length)
    expect(await seed.call('transferSent', {})).toBeGreaterThan(SIZE)
  }, 90_000)

  it('a 1.0.0-only node fetches from a 1.1.0 node over the old protocol and announces nothing', async () => {
    const old = await start({ bootstrap: seed.addresses, allowList: [seed.peerId], transferVersions: ['1.0.0'] })
    expect(await old.call('protocols', {})).not.toContain(TRANSFER_PROTOCOL)
    await waitForPeers(old, 1)
    const sentBefore = await seed.call('transferSent', {})
    const dest = await sandbox.dir()
    await old.call('modelPull', { name: NAME, dest }, { timeoutMs: 60_000 })
    await checkFile(dest)
    // served over /ipfs-kit/transfer (either version counts; only 1.0.0 was offered), not bitswap
    expect(await seed.call('transferSent', {}) - sentBefore).toBeGreaterThan(SIZE)
    expect(await seed.call('transferAnnounced', { peer: old.peerId })).toEqual([])
  }, 90_000)

  it('a 1.1.0 node fetches from a 1.0.0-only node, and a 1.0.0-only node serves over the old protocol', async () => {
    // the 1.0.0-only node holds the model (published there), the new node pulls from it alone
    const oldSeed = await start({ transferVersions: ['1.0.0'] })
    await oldSeed.call('modelPublish', { dir: modelDir, name: NAME, revision: 'old-seed' })
    const protocols = await oldSeed.call('protocols', {})
    expect(protocols).toContain(TRANSFER_PROTOCOL_1_0)
    expect(protocols).not.toContain(TRANSFER_PROTOCOL)
    const puller = await start({ bootstrap: oldSeed.addresses, allowList: [oldSeed.peerId] })
    await waitForPeers(puller, 1)
    const dest = await sandbox.dir()
    await puller.call('modelPull', { name: NAME, revision: 'old-seed', dest }, { timeoutMs: 60_000 })
    await checkFile(dest)
    expect(await oldSeed.call('transferSent', {})).toBeGreaterThan(SIZE)
    // it tried to announce and learned the old node does not speak 1.1.0: nothing was recorded there
    expect(await oldSeed.call('transferAnnounced', { peer: puller.peerId })).toEqual([])
  }, 90_000)
})
