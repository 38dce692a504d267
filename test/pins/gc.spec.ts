/** Garbage collection against a real offline kit. */
import { afterEach, describe, expect, it } from 'vitest'
import { MIB, inPieces, patternBytes, sameBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { GcResult } from '../../src/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

describe('gc', () => {
  it('removes unpinned content and keeps pinned content', async () => {
    const kit = await sandbox.kit()
    const loose = patternBytes(2 * MIB + 10, 1)
    const kept = patternBytes(MIB + 20, 2)
    const looseCid = await kit.storage.store(loose, { filename: 'loose.bin' })
    const keptCid = await kit.storage.store(kept, { filename: 'kept.bin' })
    expect(await kit.storage.pin(keptCid)).toBe(true)

    const result = await kit.storage.gc()
    // loose: two full leaves, a 10-byte leaf and the root node
    expect(result.removedBlocks).toBe(4)
    expect(result.freedBytes).toBeGreaterThan(loose.byteLength)
    expect(await kit.storage.exists(looseCid)).toBe(false)
    expect(await kit.storage.retrieve(looseCid)).toBeUndefined()
    expect(sameBytes(await kit.storage.retrieve(keptCid), kept)).toBe(true)
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid: keptCid, filename: 'kept.bin', pinned: true })])
    expect((await kit.storage.status()).repo.blocks).toBe(3)
    // nothing more to collect
    expect(await kit.storage.gc()).toEqual({ removedBlocks: 0, freedBytes: 0 })
  })

  it('keeps content stored with { pin: true }', async () => {
    const kit = await sandbox.kit()
    const bytes = patternBytes(3 * MIB + 1, 3)
    const cid = await kit.storage.store(bytes, { pin: true })
    expect(await kit.storage.gc()).toEqual({ removedBlocks: 0, freedBytes: 0 })
    expect(sameBytes(await kit.storage.retrieve(cid), bytes)).toBe(true)
  })

  it('reports each removed block through onProgress', async () => {
    const kit = await sandbox.kit()
    await kit.storage.store('one')
    await kit.storage.store('two')
    const removed: string[] = []
    const result = await kit.storage.gc({ onProgress: e => { if (e.type === 'gc:remove') removed.push(e.detail.cid.toString()) } })
    expect(result.removedBlocks).toBe(2)
    expect(removed).toHaveLength(2)
  })

  it('waits for an import in progress, so a pinned result survives gcs started while it runs', async () => {
    const kit = await sandbox.kit()
    const bytes = patternBytes(12 * MIB, 4)
    const gcs: Array<Promise<GcResult>> = []
    let pieces = 0
    // a gc per piece from the second on: without the gc lock, some of them
    // find chunks already written but not yet pinned, delete them, and the pin fails
    const cid = await kit.storage.store(inPieces(bytes, MIB), {
      pin: true,
      onProgress: event => {
        if (event.type === 'storage:store:chunk' && ++pieces >= 2) gcs.push(kit.storage.gc())
      }
    })
    const results = await Promise.all(gcs)
    expect(results).toHaveLength(11)
    expect(results.every(r => r.removedBlocks === 0)).toBe(true)
    expect(sameBytes(await kit.storage.retrieve(cid), bytes)).toBe(true)
  })

  it('stops when its signal is aborted', async () => {
    const kit = await sandbox.kit()
    await kit.storage.store('x')
    const controller = new AbortController()
    controller.abort()
    await expect(kit.storage.gc({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect((await kit.storage.status()).repo.blocks).toBe(1)
  })

  it('a store whose signal aborts while gc holds the lock rejects at once with AbortError, and the lock goes on', async () => {
    const kit = await sandbox.kit()
    // seam: gc reads the pin index first thing under the write lock; hold it there until we let go
    let letGo!: () => void
    const gate = new Promise<void>(resolve => { letGo = resolve })
    let entered!: () => void
    const inGc = new Promise<void>(resolve => { entered = resolve })
    const referencedKeys = kit.pins.referencedKeys.bind(kit.pins)
    kit.pins.referencedKeys = async () => { entered(); await gate; return await referencedKeys() }
    const gc = kit.storage.gc()
    await inGc

    const controller = new AbortController()
    const store = kit.storage.store('waits behind gc', { signal: controller.signal })
    store.catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 20))
    const abortedAt = Date.now()
    controller.abort()
    await expect(store).rejects.toMatchObject({ name: 'AbortError' })
    expect(Date.now() - abortedAt).toBeLessThan(1000)

    letGo()
    kit.pins.referencedKeys = referencedKeys
    expect(await gc).toEqual({ removedBlocks: 0, freedBytes: 0 })
    expect((await kit.storage.status()).repo.blocks).toBe(0) // nothing of the aborted store was written
    // the aborted waiter left nothing behind: a store and a gc after it both go through
    const cid = await kit.storage.store('after', { pin: true })
    expect(await kit.storage.gc()).toEqual({ removedBlocks: 0, freedBytes: 0 })
    expect(new TextDecoder().decode(await kit.storage.retrieve(cid))).toBe('after')
  })
})
