/** delete(): removes one file's blocks, never a block something else still needs. */
import { afterEach, describe, expect, it } from 'vitest'
import { sameBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { sharedContent } from '../fixtures/shared-content.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

describe('delete', () => {
  it('keeps the blocks another pin needs', async () => {
    const kit = await sandbox.kit()
    const content = await sharedContent()
    const a = await kit.storage.store(content.a, { pin: true })
    const b = await kit.storage.store(content.b, { pin: true })
    expect(await kit.storage.delete(b)).toBe(true)

    expect(sameBytes(await kit.storage.retrieve(a), content.a)).toBe(true)
    expect(await kit.storage.exists(content.shared.toString())).toBe(true)
    expect(await kit.storage.exists(content.onlyB.toString())).toBe(false)
    expect(await kit.storage.exists(b)).toBe(false)
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid: a, pinned: true })])
    // and gc afterwards still keeps A whole
    await kit.storage.gc()
    expect(sameBytes(await kit.storage.retrieve(a), content.a)).toBe(true)
  })

  it('removes every block of a pinned file that nothing else holds', async () => {
    const kit = await sandbox.kit()
    const content = await sharedContent()
    const a = await kit.storage.store(content.a, { pin: true })
    expect((await kit.storage.status()).repo.blocks).toBe(3)
    expect(await kit.storage.delete(a)).toBe(true)
    expect((await kit.storage.status()).repo).toEqual({ blocks: 0, bytes: 0, pins: 0, pinnedBytes: 0, quarantined: 0 })
  })

  it('leaves another listed file readable when the two share a block and neither is pinned', async () => {
    const kit = await sandbox.kit()
    const content = await sharedContent()
    const a = await kit.storage.store(content.a, { filename: 'a.bin' })
    const b = await kit.storage.store(content.b, { filename: 'b.bin' })
    expect(await kit.storage.delete(b)).toBe(true)
    // A is still listed, so it must still be readable: deleting B may not take A's blocks
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid: a, filename: 'a.bin' })])
    expect(sameBytes(await kit.storage.retrieve(a), content.a)).toBe(true)
  })
})
