import { randomBytes } from 'node:crypto'
import { Level } from 'level'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { blockKey } from '../../src/blocks/index.ts'
import { Mutex, PinIndex } from '../../src/pins/index.ts'
import { MetaStore } from '../../src/repo/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { BlockSource } from '../../src/blocks/index.ts'
import type { BatchOp } from '../../src/repo/index.ts'

/** A MetaStore that counts the keys it reads and writes: the seam for "O(DAG), not O(repo)". */
class CountingMetaStore extends MetaStore {
  touched = 0
  override async get (key: string): Promise<Uint8Array | undefined> { this.touched++; return await super.get(key) }
  override async getMany (keys: string[]): Promise<Array<Uint8Array | undefined>> { this.touched += keys.length; return await super.getMany(keys) }
  override async has (key: string): Promise<boolean> { this.touched++; return await super.has(key) }
  override async batch (ops: BatchOp[]): Promise<void> { this.touched += ops.length; await super.batch(ops) }
}

/** In-memory raw blocks as a BlockSource: each a one-block DAG. */
function rawBlocks (): { source: BlockSource, add(): Promise<CID> } {
  const blocks = new Map<string, Uint8Array>()
  return {
    source: {
      getBytes: async cid => {
        const bytes = blocks.get(blockKey(cid))
        if (bytes == null) throw Object.assign(new Error('not found'), { name: 'NotFoundError' })
        return bytes
      },
      has: async cid => blocks.has(blockKey(cid))
    },
    add: async () => {
      const bytes = randomBytes(32)
      const cid = CID.createV1(0x55, await sha256.digest(bytes))
      blocks.set(blockKey(cid), bytes)
      return cid
    }
  }
}

describe('pins at scale', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it('lists exactly 10,000 pins, and pin/unpin touch the same number of keys with 10 or 10,000 pins present', async () => {
    const db = new Level<string, Uint8Array>(await sandbox.dir(), { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.open()
    try {
      const meta = new CountingMetaStore(db, false)
      const pins = new PinIndex({ meta, mutex: new Mutex() })
      const blocks = rawBlocks()

      const cost = async (): Promise<{ pin: number, unpin: number }> => {
        const cid = await blocks.add()
        meta.touched = 0
        await pins.add(cid, blocks.source)
        const pin = meta.touched
        meta.touched = 0
        expect(await pins.rm(cid)).toBe(true)
        return { pin, unpin: meta.touched }
      }

      const expected = new Set<string>()
      for (let i = 0; i < 10; i++) expected.add((await pins.add(await blocks.add(), blocks.source)).cid.toString())
      const small = await cost()
      for (let i = 10; i < 10_000; i++) expected.add((await pins.add(await blocks.add(), blocks.source)).cid.toString())
      const large = await cost()

      expect(large).toEqual(small)
      const listed = new Set<string>()
      for await (const pin of pins.ls()) listed.add(pin.cid.toString())
      expect(listed).toEqual(expected)
      expect(listed.size).toBe(10_000)
    } finally {
      await db.close()
    }
  }, 120_000)

  it('loses no block of a 64 MiB pinned store while gc runs in a loop', async () => {
    const kit = await sandbox.kit()
    const bytes = randomBytes(64 * 1024 * 1024)
    let storing = true
    let gcs = 0
    const loop = (async () => {
      while (storing) {
        await kit.storage.gc()
        gcs++
      }
    })()
    const cid = await kit.storage.store(bytes, { pin: true })
    storing = false
    await loop
    await kit.storage.gc()
    expect(gcs).toBeGreaterThan(1)
    const back = await kit.storage.retrieve(cid)
    expect(back != null && Buffer.compare(Buffer.from(back), bytes) === 0).toBe(true)
    expect((await kit.storage.verify()).corrupt).toEqual([])
  }, 120_000)
})
