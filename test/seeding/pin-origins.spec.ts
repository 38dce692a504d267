/** Pin origins: why a root is pinned, and a pin that stays while any reason is left. */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { blockKey } from '../../src/blocks/index.ts'
import { encodeJson, decodeJson, openRepo } from '../../src/repo/index.ts'
import { startRpcNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { sharedContent } from '../fixtures/shared-content.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

async function originsOf (kit: Kit, cid: string): Promise<string[] | undefined> {
  for await (const pin of kit.storage.pins()) if (pin.cid === cid) return pin.origins
  return undefined
}

describe('pin origins', () => {
  it('keeps a root pinned while any origin is left, and releases its blocks with the last', async () => {
    const kit = await sandbox.kit()
    const content = await sharedContent()
    const a = await kit.storage.store(content.a, { pin: false })
    expect(await kit.storage.pin(a, { origin: 'auto' })).toBe(true)
    expect(await kit.storage.pin(a, { origin: 'dataset' })).toBe(true)
    expect(await kit.storage.pin(a, { origin: 'auto' })).toBe(true)
    expect(await originsOf(kit, a)).toEqual(['auto', 'dataset'])
    // one pin: each block counted once, however many reasons
    expect(await kit.pins.refCount(blockKey(content.shared))).toBe(1)

    expect(await kit.storage.unpin(a, { origin: 'auto' })).toBe(true)
    expect(await kit.storage.unpin(a, { origin: 'auto' })).toBe(false)
    expect(await kit.storage.unpin(a, { origin: 'user' })).toBe(false)
    expect(await originsOf(kit, a)).toEqual(['dataset'])
    await kit.storage.gc()
    expect(await kit.storage.exists(content.onlyA.toString())).toBe(true)

    expect(await kit.storage.unpin(a, { origin: 'dataset' })).toBe(true)
    expect(await originsOf(kit, a)).toBeUndefined()
    expect(await kit.pins.refCount(blockKey(content.shared))).toBe(0)
  })

  it('unpins every origin without one, and refuses an unknown origin', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('two reasons', { pin: true })
    await kit.storage.pin(cid, { origin: 'model' })
    expect(await originsOf(kit, cid)).toEqual(['user', 'model'])
    await expect(kit.storage.pin(cid, { origin: 'friend' as any })).rejects.toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
    await expect(kit.storage.unpin(cid, { origin: 'friend' as any })).rejects.toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
    expect(await kit.storage.unpin(cid)).toBe(true)
    expect(await originsOf(kit, cid)).toBeUndefined()
  })

  it('reads a pin record written before origins as a user pin', async () => {
    const dataDir = await sandbox.dir()
    let kit = await sandbox.kit({ dataDir })
    const cid = await kit.storage.store('an old pin', { pin: true })
    await kit.stop()
    const repo = await openRepo(dataDir)
    const key = `/ipfs-kit/pins/roots/${cid}`
    const record = decodeJson<Record<string, unknown>>((await repo.meta.get(key))!)
    delete record.origins
    await repo.meta.batch([{ type: 'put', key, value: encodeJson(record) }])
    await repo.close()

    kit = await sandbox.kit({ dataDir })
    expect(await originsOf(kit, cid)).toEqual(['user'])
    expect(await kit.storage.unpin(cid, { origin: 'auto' })).toBe(false)
    expect(await kit.storage.unpin(cid, { origin: 'user' })).toBe(true)
    expect(await originsOf(kit, cid)).toBeUndefined()
  })

  it('pins a published model\'s manifest as `model`, and a revision replaced drops only that origin', async () => {
    const kit = await sandbox.kit()
    const dir = await sandbox.dir()
    await writeFile(path.join(dir, 'weights.bin'), 'v1')
    const first = await kit.models.publish(dir, { name: 'acme/origins' })
    expect(await originsOf(kit, first.root)).toEqual(['model'])
    await kit.storage.pin(first.root) // a user also wants the old revision
    await writeFile(path.join(dir, 'weights.bin'), 'v2')
    const second = await kit.models.publish(dir, { name: 'acme/origins' })
    expect(await originsOf(kit, second.root)).toEqual(['model'])
    expect(await originsOf(kit, first.root)).toEqual(['user'])
  })

  it('shows origins on the RPC pin/ls', async () => {
    const node = await startRpcNode(sandbox)
    try {
      const cid = await node.kit.storage.store('rpc origins', { pin: false })
      await node.kit.storage.pin(cid, { origin: 'replica' })
      const res = await fetch(`${node.rpc.url}/api/v0/pin/ls?arg=${cid}`, { method: 'POST' })
      expect(await res.json()).toEqual({ Keys: { [cid]: { Type: 'recursive', Origins: ['replica'] } } })
    } finally {
      await node.stop()
    }
  })
})
