/**
 * gc never undoes a pull in progress: every block the pull reads or fetches
 * is held until the pin that covers the model lands. Without the hold, gc
 * (or eviction to zero) deletes what the pull fetched, and the pull fetches
 * it again or fails.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'

const MiB = 1024 * 1024
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('gc during a model pull', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it('keeps every fetched block through gc and eviction in a loop: one copy fetched, every file pinned, a second pull needs no network', async () => {
    // four files, 100 MiB and a bit: several files in flight at once (MODEL_PULL_FILE_CONCURRENCY)
    const dir = await sandbox.dir()
    const files = new Map<string, Buffer>([
      ['model-00001.safetensors', randomBytes(36 * MiB + 5)],
      ['model-00002.safetensors', randomBytes(36 * MiB + 11)],
      ['model-00003.safetensors', randomBytes(28 * MiB + 3)],
      ['config.json', Buffer.from('{"hidden_size": 64}')]
    ])
    for (const [rel, bytes] of files) await writeFile(join(dir, rel), bytes)
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false, bootstrap: a.addresses() })
    const published = await a.models.publish(dir, { name: 'acme/big', revision: 'main' })
    expect(published.bytes).toBeGreaterThan(100 * MiB)

    // gc and eviction to zero bytes, back to back, for as long as the pull runs
    let pulling = true
    let collections = 0
    let removedWhilePulling = 0
    const collector = (async () => {
      while (pulling) {
        removedWhilePulling += (await b.storage.gc({ verify: false })).removedBlocks
        removedWhilePulling += (await b.storage.evict(0)).removedBlocks
        collections++
        await new Promise(resolve => setTimeout(resolve, 5))
      }
    })()
    const dest = await sandbox.dir()
    let pulled
    try {
      pulled = await b.models.pull('acme/big', { dest, findTimeoutMs: 5000 })
    } finally {
      pulling = false
      await collector
    }
    // the collector did run while blocks were arriving (else this test proves nothing)
    expect(collections).toBeGreaterThanOrEqual(3)
    expect(removedWhilePulling).toBe(0)
    expect(pulled.root).toBe(published.root)
    expect(pulled.fetchedBytes).toBeGreaterThanOrEqual(published.bytes)
    expect(pulled.fetchedBytes).toBeLessThanOrEqual(published.bytes * 1.05)
    for (const [rel, bytes] of files) expect(sha(await readFile(join(dest, rel)))).toBe(sha(bytes))

    // pinned: the manifest root is a pin, and nothing of the model goes even when evicting to zero
    const pins = []
    for await (const pin of b.storage.pins()) pins.push(pin.cid)
    expect(pins).toContain(published.root)
    expect((await b.storage.evict(0)).removedBlocks).toBe(0)

    // the provider gone, the model comes from this node's own blocks
    await a.stop()
    const again = await sandbox.dir()
    const local = await b.models.pull('acme/big', { dest: again, findTimeoutMs: 500 })
    expect(local.fetchedBytes).toBe(0)
    for (const [rel, bytes] of files) expect(sha(await readFile(join(again, rel)))).toBe(sha(bytes))
  })

  it('fails the pull when its pin fails, and records and announces nothing', async () => {
    const dir = await sandbox.dir()
    await mkdir(join(dir, 'sub'))
    await writeFile(join(dir, 'weights.bin'), randomBytes(3 * MiB))
    await writeFile(join(dir, 'sub', 'config.json'), '{}')
    const a = await sandbox.kit({ offline: false })
    const b: Kit = await sandbox.kit({ offline: false, bootstrap: a.addresses() })
    await a.models.publish(dir, { name: 'acme/pin-fails' })

    // the fault: the pin that should cover the pulled model does not land
    b.storage.pin = async () => false
    await expect(b.models.pull('acme/pin-fails', { findTimeoutMs: 5000 })).rejects.toMatchObject({ name: 'ModelPullError' })
    expect(await b.models.list()).toEqual([])
    // a third node hears only the genuine provider
    const c = await sandbox.kit({ offline: false, bootstrap: [...a.addresses(), ...b.addresses()] })
    const providers = await c.models.findProviders('acme/pin-fails', { timeoutMs: 2000 })
    expect(providers.map(p => p.peerId)).toEqual([a.peerId.toString()])
  })
})
