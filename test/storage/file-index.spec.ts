/** FileIndex: access times written behind (one batch per flush), never resurrecting a deleted record; kept across a restart. */
import { Level } from 'level'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import { MetaStore } from '../../src/repo/index.ts'
import { FileIndex } from '../../src/storage/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { BatchOp } from '../../src/repo/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

/** A MetaStore that counts its write batches. */
class CountingMetaStore extends MetaStore {
  batches = 0
  override async batch (ops: BatchOp[]): Promise<void> { this.batches++; await super.batch(ops) }
}

async function withIndex (work: (files: FileIndex, meta: CountingMetaStore) => Promise<void>): Promise<void> {
  const db = new Level<string, Uint8Array>(await sandbox.dir(), { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  try {
    const meta = new CountingMetaStore(db, false)
    await work(new FileIndex(meta), meta)
  } finally {
    await db.close()
  }
}

async function cidOf (text: string): Promise<CID> {
  return CID.createV1(0x55, await sha256.digest(new TextEncoder().encode(text)))
}

async function accessed (files: FileIndex, cid: CID): Promise<number | undefined> {
  for await (const entry of files.entries()) if (entry.cid.equals(cid)) return entry.accessed
  return undefined
}

describe('FileIndex access times', () => {
  it('notes reads in memory and writes them in one batch per flush, visible to entries() at once', async () => {
    await withIndex(async (files, meta) => {
      const cids = await Promise.all(['a', 'b', 'c'].map(cidOf))
      for (const cid of cids) await files.put(cid, { filename: null, size: 1, modified: 1000 })
      meta.batches = 0
      for (let i = 0; i < 100; i++) files.touch(cids[i % 3] as CID, 5000 + i)
      expect(meta.batches).toBe(0)
      expect(await accessed(files, cids[0] as CID)).toBe(5099) // the latest read of a
      await files.flush()
      expect(meta.batches).toBe(1)
      expect((await files.get(cids[1] as CID))?.accessed).toBe(5097)
      await files.flush() // nothing new: no write
      expect(meta.batches).toBe(1)
    })
  })

  it('writes by itself within ACCESS_TIME_FLUSH_MS', async () => {
    await withIndex(async (files) => {
      const cid = await cidOf('timer')
      await files.put(cid, { filename: null, size: 1, modified: 1000 })
      files.touch(cid, 2000)
      const deadline = Date.now() + 5000
      while ((await files.get(cid))?.accessed !== 2000 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      expect((await files.get(cid))?.accessed).toBe(2000)
    })
  })

  it('never puts back a record deleted after the read, even while a flush is running', async () => {
    await withIndex(async (files) => {
      const before = await cidOf('deleted before the flush')
      const during = await cidOf('deleted during the flush')
      const unknown = await cidOf('never listed')
      for (const cid of [before, during]) await files.put(cid, { filename: 'x', size: 1, modified: 1000 })
      files.touch(before, 2000)
      files.touch(during, 2000)
      files.touch(unknown, 2000)
      await files.delete(before)
      await Promise.all([files.flush(), files.delete(during)])
      for (const cid of [before, during, unknown]) expect(await files.get(cid)).toBeUndefined()
    })
  })

  it('does not roll back a store committed while a flush is running', async () => {
    await withIndex(async (files) => {
      const cid = await cidOf('restored')
      await files.put(cid, { filename: 'old.bin', size: 1, modified: 1000 })
      files.touch(cid, 2000)
      await Promise.all([files.flush(), files.put(cid, { filename: 'new.bin', size: 1, modified: 3000 })])
      expect((await files.get(cid))?.filename).toBe('new.bin')
    })
  })

  it('keeps the access time of a read across kit.stop() and a restart', async () => {
    const dataDir = await sandbox.dir()
    let kit = await createKit({ dataDir, offline: true })
    const cid = await kit.storage.store('read me', { pin: false })
    const readAt = Date.now()
    await kit.storage.retrieve(cid)
    await kit.stop()
    kit = await createKit({ dataDir, offline: true })
    try {
      const files = (kit.storage as unknown as { c: { files: FileIndex } }).c.files
      expect(await accessed(files, CID.parse(cid))).toBeGreaterThanOrEqual(readAt)
    } finally {
      await kit.stop()
    }
  })
})
