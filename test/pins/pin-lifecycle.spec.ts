/** Pins against a real offline kit: reference counts per block, one pin per root. */
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { FsBlockstore, blockKey } from '../../src/blocks/index.ts'
import { sameBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { sharedContent } from '../fixtures/shared-content.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

async function refCount (kit: Kit, cid: CID | string): Promise<number> {
  return await kit.pins.refCount(blockKey(typeof cid === 'string' ? CID.parse(cid) : cid))
}

async function has (kit: Kit, cid: CID | string): Promise<boolean> {
  return await kit.storage.exists(cid.toString())
}

describe('pins', () => {
  it('keeps a block shared by two pins through unpin, re-pin and gc (drift regression)', async () => {
    const kit = await sandbox.kit()
    const content = await sharedContent()
    const a = await kit.storage.store(content.a)
    expect(await kit.storage.pin(a)).toBe(true)
    const b = await kit.storage.store(content.b)
    expect(await kit.storage.pin(b)).toBe(true)
    expect(await refCount(kit, content.shared)).toBe(2)

    expect(await kit.storage.unpin(b)).toBe(true)
    expect(await refCount(kit, content.shared)).toBe(1)
    expect(await kit.storage.pin(b)).toBe(true)
    expect(await refCount(kit, content.shared)).toBe(2)
    expect(await kit.storage.unpin(a)).toBe(true)
    expect(await refCount(kit, content.shared)).toBe(1)

    await kit.storage.gc()
    // B is complete: its root and both its leaves
    expect(await has(kit, b)).toBe(true)
    expect(await has(kit, content.shared)).toBe(true)
    expect(await has(kit, content.onlyB)).toBe(true)
    expect(sameBytes(await kit.storage.retrieve(b), content.b)).toBe(true)
    // A's own blocks went
    expect(await has(kit, a)).toBe(false)
    expect(await has(kit, content.onlyA)).toBe(false)
    expect(await refCount(kit, content.onlyA)).toBe(0)
    expect(await refCount(kit, b)).toBe(1)
  })

  it('holds one pin per root however often it is pinned', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('pin me twice')
    expect(await kit.storage.pin(cid)).toBe(true)
    expect(await kit.storage.pin(cid)).toBe(true)
    expect(await refCount(kit, cid)).toBe(1)
    expect((await kit.storage.status()).repo.pins).toBe(1)

    // one unpin removes it: pins are not counted per call
    expect(await kit.storage.unpin(cid)).toBe(true)
    expect(await kit.pins.isPinned(CID.parse(cid))).toBe(false)
    expect(await refCount(kit, cid)).toBe(0)
    expect(await kit.storage.unpin(cid)).toBe(false)
    await kit.storage.gc()
    expect(await has(kit, cid)).toBe(false)
  })

  it('counts a block once per pin even when a DAG links it many times', async () => {
    const kit = await sandbox.kit()
    // four identical 1 MiB chunks: one leaf linked four times
    const bytes = new Uint8Array(4 * 1024 * 1024).fill(7)
    const cid = await kit.storage.store(bytes, { pin: true })
    const record = await kit.pins.get(CID.parse(cid))
    expect(record?.blocks).toBe(2)
    expect((await kit.storage.status()).repo.blocks).toBe(2)
    expect(await kit.storage.unpin(cid)).toBe(true)
    expect((await kit.pins.referencedKeys()).size).toBe(0)
  })

  it('returns false offline when pinning content that is not here, and pins nothing', async () => {
    const kit = await sandbox.kit()
    const elsewhere = await sandbox.kit()
    const cid = await elsewhere.storage.store('only on the other node')
    expect(await kit.storage.pin(cid)).toBe(false)
    expect(await kit.pins.isPinned(CID.parse(cid))).toBe(false)
    expect(await kit.storage.listFiles()).toEqual([])
    expect((await kit.pins.referencedKeys()).size).toBe(0)
  })

  it('returns false when a block of the DAG is missing, leaving no partial pin', async () => {
    const kit = await sandbox.kit()
    const content = await sharedContent()
    const cid = await kit.storage.store(content.a)
    await new FsBlockstore(path.join(kit.dataDir, 'blocks')).delete(content.onlyA)
    expect(await kit.storage.pin(cid)).toBe(false)
    expect(await kit.pins.isPinned(CID.parse(cid))).toBe(false)
    expect(await refCount(kit, content.shared)).toBe(0)
  })

  it('keeps pins and reference counts across a restart', async () => {
    const dataDir = await sandbox.dir()
    const content = await sharedContent()
    const first = await sandbox.kit({ dataDir })
    const a = await first.storage.store(content.a, { pin: true })
    const b = await first.storage.store(content.b, { pin: true })
    await first.stop()

    const second = await sandbox.kit({ dataDir })
    expect(await refCount(second, content.shared)).toBe(2)
    expect(await second.storage.unpin(a)).toBe(true)
    await second.storage.gc()
    expect(sameBytes(await second.storage.retrieve(b), content.b)).toBe(true)
    expect(await second.storage.listFiles()).toEqual([expect.objectContaining({ cid: b, pinned: true })])
  })
})
