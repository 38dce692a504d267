/**
 * Models across real processes: publish on A; C finds it by name and pulls;
 * B pulls too; then a fresh node pulls while A is killed and finishes from B;
 * a pull killed half-way resumes with only what is missing; with no provider
 * left a pull fails naming the incomplete files.
 *
 * The model directory is shared; every test starts (and its afterEach stops)
 * the peers it needs, so each passes alone and in any order.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { writeRandomFile } from '../fixtures/random-file.ts'
import type { Peer } from '../../peers/harness.ts'

const MiB = 1024 * 1024
const NAME = 'acme/llm-70m'

/**
 * Start a pull with progress events; `atBytes` resolves once the pull has
 * fetched that many bytes (so a test kills a provider mid-pull, not after a guessed sleep).
 */
function pullWithProgress (peer: Peer, args: { name: string, dest?: string, blockTimeoutMs?: number }, atBytes: number, timeoutMs: number): { pull: Promise<any>, reached: Promise<void> } {
  let reach!: () => void
  const reached = new Promise<void>(resolve => { reach = resolve })
  const pull = peer.call('modelPull', { ...args, progress: true }, {
    timeoutMs,
    onProgress: (type, detail) => { if (type === 'models:pull:progress' && detail.bytesDone >= atBytes) reach() }
  })
  pull.catch(() => {})
  return { pull, reached }
}

describe('models across processes', () => {
  const sandbox = new Sandbox()
  const peers: Peer[] = []
  let modelDir: string
  const hashes = new Map<string, string>() // relative path → sha256

  const start = async (options: Parameters<typeof startPeer>[0] = {}): Promise<Peer> => {
    const peer = await startPeer(options)
    peers.push(peer)
    return peer
  }

  /** A new peer that publishes the model: it and the model's root. */
  const publisher = async (): Promise<{ peer: Peer, root: string }> => {
    const peer = await start()
    const { root } = await peer.call('modelPublish', { dir: modelDir, name: NAME })
    return { peer, root }
  }

  /** A new peer that has pulled the whole model from `from` (so provides it too). */
  const replica = async (from: Peer, root: string): Promise<Peer> => {
    const peer = await start({ bootstrap: from.addresses })
    await waitForPeers(peer, 1)
    expect((await peer.call('modelPull', { name: NAME }, { timeoutMs: 120_000 })).root).toBe(root)
    return peer
  }

  const checkDest = async (dest: string): Promise<void> => {
    for (const [rel, hash] of hashes) {
      expect(createHash('sha256').update(await readFile(join(dest, rel))).digest('hex'), rel).toBe(hash)
    }
  }

  beforeAll(async () => {
    modelDir = await sandbox.dir()
    await mkdir(join(modelDir, 'tokenizer'))
    hashes.set('model.safetensors', await writeRandomFile(join(modelDir, 'model.safetensors'), 70 * MiB + 123))
    for (const [rel, text] of [['config.json', '{"layers": 2}'], ['tokenizer/tokenizer.json', '{"v": 1}'], ['generation_config.json', '{}']]) {
      await writeFile(join(modelDir, rel as string), text as string)
      hashes.set(rel as string, createHash('sha256').update(text as string).digest('hex'))
    }
  }, 120_000)

  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async p => { await p.stop() }))
  })

  afterAll(async () => {
    await sandbox.cleanup()
  })

  it('C finds the model by name and pulls it, byte for byte; B pulls it too', async () => {
    const { peer: a, root } = await publisher()
    const b = await start({ bootstrap: a.addresses })
    const c = await start({ bootstrap: a.addresses })
    await waitForPeers(c, 1)
    const found = await c.call('modelProviders', { name: NAME, timeoutMs: 3000 })
    expect(found.map(p => [p.peerId, p.root])).toContainEqual([a.peerId, root])

    const dest = await sandbox.dir()
    const pulled = await c.call('modelPull', { name: NAME, dest }, { timeoutMs: 120_000 })
    expect(pulled).toMatchObject({ root, files: 4 })
    await checkDest(dest)

    const fromB = await b.call('modelPull', { name: NAME }, { timeoutMs: 120_000 })
    expect(fromB.root).toBe(root)
    // both now answer for the name
    const both = await c.call('modelProviders', { name: NAME, timeoutMs: 3000 })
    expect(new Set(both.map(p => p.peerId))).toEqual(new Set([a.peerId, b.peerId]))
  }, 180_000)

  it('a fresh node whose pull loses provider A half-way completes from B', async () => {
    const { peer: a, root } = await publisher()
    const b = await replica(a, root)
    const fresh = await start({ bootstrap: [...a.addresses, ...b.addresses] })
    await waitForPeers(fresh, 2)
    const dest = await sandbox.dir()
    const { pull, reached } = pullWithProgress(fresh, { name: NAME, dest, blockTimeoutMs: 60_000 }, 8 * MiB, 150_000)
    await reached
    await a.kill() // A dies while the pull is running
    const result = await pull
    expect(result.root).toBe(root)
    expect(result.providers).toContain(b.peerId)
    await checkDest(dest)
  }, 180_000)

  it('a pull killed half-way and run again fetches only what is missing', async () => {
    const { peer: b, root } = await publisher()
    const dataDir = await sandbox.dir()
    const first = await start({ dataDir, bootstrap: b.addresses })
    await waitForPeers(first, 1)
    const { reached } = pullWithProgress(first, { name: NAME }, 16 * MiB, 120_000)
    await reached
    await first.kill()
    const again = await start({ dataDir, bootstrap: b.addresses })
    await waitForPeers(again, 1)
    // the provider may still hold a connection to the killed process (same peer id): its sends there time out first
    const result = await again.call('modelPull', { name: NAME, blockTimeoutMs: 60_000 }, { timeoutMs: 150_000 })
    expect(result.root).toBe(root)
    expect(result.fetchedBytes).toBeGreaterThan(0)
    expect(result.fetchedBytes).toBeLessThan(result.bytes)
  }, 180_000)

  it('with no provider left, the pull fails within its timeout naming the incomplete files', async () => {
    const { peer: b } = await publisher()
    const lonely = await start({ bootstrap: b.addresses })
    await waitForPeers(lonely, 1)
    const { pull, reached } = pullWithProgress(lonely, { name: NAME, blockTimeoutMs: 3000 }, 4 * MiB, 60_000)
    await reached
    await b.kill()
    const started = Date.now()
    await expect(pull).rejects.toMatchObject({ name: 'ModelPullError', message: expect.stringContaining('model.safetensors') })
    expect(Date.now() - started).toBeLessThan(30_000)
  }, 120_000)
})

