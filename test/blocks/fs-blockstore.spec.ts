/** FsBlockstore: Kubo's flatfs layout, atomic writes, verified reads, crash leftovers swept on open. */
import fs from 'node:fs/promises'
import path from 'node:path'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { identity } from 'multiformats/hashes/identity'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { FsBlockstore, blockKey, keyToCid } from '../../src/blocks/index.ts'
import { WRITE_PIECE_BYTES } from '../../src/constants.ts'
import { CorruptBlockError } from '../../src/errors.ts'
import { collect, patternBytes, sameBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

async function rawBlock (bytes: Uint8Array): Promise<{ cid: CID, bytes: Uint8Array }> {
  return { cid: CID.createV1(0x55, await sha256.digest(bytes)), bytes }
}

async function openStore (init: ConstructorParameters<typeof FsBlockstore>[1] = {}): Promise<FsBlockstore> {
  const store = new FsBlockstore(path.join(await sandbox.dir(), 'blocks'), init)
  await store.open()
  return store
}

const HELLO = new TextEncoder().encode('hello world')

describe('FsBlockstore', () => {
  it('puts, gets, has and deletes a block', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(HELLO)
    expect(await store.has(cid)).toBe(false)
    expect(await store.put(cid, bytes)).toBe(cid)
    expect(await store.has(cid)).toBe(true)
    expect(sameBytes(await store.getBytes(cid), bytes)).toBe(true)
    expect(sameBytes(await collect(store.get(cid)), bytes)).toBe(true)
    await store.delete(cid)
    expect(await store.has(cid)).toBe(false)
    await expect(store.getBytes(cid)).rejects.toMatchObject({ name: 'NotFoundError' })
    // deleting an absent block is not an error
    await store.delete(cid)
  })

  it('puts a block given as chunks', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(HELLO)
    await store.put(cid, [bytes.subarray(0, 5), bytes.subarray(5)])
    expect(sameBytes(await store.getBytes(cid), bytes)).toBe(true)
  })

  it('lays files out as Kubo flatfs does: <shard>/<KEY>.data, shard = next-to-last two characters', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(HELLO)
    await store.put(cid, bytes)
    const key = blockKey(cid)
    // base32 of a sha2-256 multihash (0x12 0x20 …) starts with CIQ
    expect(key).toMatch(/^CIQ[A-Z2-7]+$/)
    expect(store.fileOf(cid)).toBe(path.join(store.path, key.slice(-3, -1), `${key}.data`))
    expect(await fs.readFile(store.fileOf(cid))).toEqual(Buffer.from(bytes))
  })

  it('stores a block once for every CID of the same multihash', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(HELLO)
    const asDagPb = CID.createV1(dagPb.code, cid.multihash)
    expect(store.fileOf(asDagPb)).toBe(store.fileOf(cid))
    await store.put(cid, bytes)
    expect(await store.has(asDagPb)).toBe(true)
  })

  it('lists stored blocks as raw CIDs with their sizes, skipping temp files', async () => {
    const store = await openStore()
    const a = await rawBlock(HELLO)
    const b = await rawBlock(patternBytes(5000, 1))
    await store.put(a.cid, a.bytes)
    await store.put(b.cid, b.bytes)
    await fs.writeFile(path.join(path.dirname(store.fileOf(a.cid)), `.tmp-${blockKey(a.cid)}-1-abc`), 'partial')
    const listed = []
    for await (const entry of store.list()) listed.push({ cid: entry.cid.toString(), size: entry.size })
    expect(listed.sort((x, y) => x.size - y.size)).toEqual([{ cid: a.cid.toString(), size: 11 }, { cid: b.cid.toString(), size: 5000 }])
    expect(keyToCid(blockKey(b.cid)).equals(b.cid)).toBe(true)
  })

  it('never returns a block whose file was altered: getBytes rejects with NotFoundError', async () => {
    const corrupt: string[] = []
    const store = await openStore({ onCorrupt: (cid, file) => { corrupt.push(`${cid.toString()} ${file}`) } })
    const { cid, bytes } = await rawBlock(patternBytes(4096, 2))
    await store.put(cid, bytes)
    const file = store.fileOf(cid)
    const damaged = Buffer.from(bytes)
    damaged[100] = (damaged[100] ?? 0) ^ 0x01
    await fs.writeFile(file, damaged)

    const err = await store.getBytes(cid).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'NotFoundError' })
    expect((err as Error).cause).toBeInstanceOf(CorruptBlockError)
    expect(corrupt).toEqual([`${cid.toString()} ${file}`])
    await expect(collect(store.get(cid))).rejects.toMatchObject({ name: 'NotFoundError' })
    // getAll leaves it out instead of failing
    const all = []
    for await (const pair of store.getAll()) all.push(pair.cid.toString())
    expect(all).toEqual([])
  })

  it('rejects a block whose file was overwritten with other bytes of another length', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(HELLO)
    await store.put(cid, bytes)
    await fs.writeFile(store.fileOf(cid), 'something else entirely')
    await expect(store.getBytes(cid)).rejects.toMatchObject({ name: 'NotFoundError' })
  })

  it('does not trust a CID whose hash it cannot check', async () => {
    const store = await openStore()
    // a CID with a 16-byte truncated sha2-256 digest: too short to trust as an address
    const full = await sha256.digest(HELLO)
    const weak = CID.createV1(0x55, createDigest(0x12, full.digest.subarray(0, 16)))
    await store.put(weak, HELLO)
    await expect(store.getBytes(weak)).rejects.toMatchObject({ name: 'NotFoundError' })
  })

  it('rewrites a truncated block file on the next put of the same CID', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(patternBytes(10_000, 3))
    await store.put(cid, bytes)
    const file = store.fileOf(cid)
    await fs.truncate(file, 4000)
    await expect(store.getBytes(cid)).rejects.toMatchObject({ name: 'NotFoundError' })

    await store.put(cid, bytes)
    expect((await fs.stat(file)).size).toBe(10_000)
    expect(sameBytes(await store.getBytes(cid), bytes)).toBe(true)
  })

  it('does not rewrite a block file that is already complete', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(HELLO)
    await store.put(cid, bytes)
    const before = await fs.stat(store.fileOf(cid))
    await new Promise(resolve => setTimeout(resolve, 20))
    await store.put(cid, bytes)
    const after = await fs.stat(store.fileOf(cid))
    expect(after.ino).toBe(before.ino)
    expect(after.mtimeMs).toBe(before.mtimeMs)
  })

  it('removes temp files a crash left in shard directories when it opens, and keeps blocks', async () => {
    const dir = path.join(await sandbox.dir(), 'blocks')
    const first = new FsBlockstore(dir)
    await first.open()
    const { cid, bytes } = await rawBlock(HELLO)
    await first.put(cid, bytes)
    const shard = path.dirname(first.fileOf(cid))
    const otherShard = path.join(dir, 'ZZ')
    await fs.mkdir(otherShard)
    const leftovers = [
      path.join(shard, `.tmp-${blockKey(cid)}-123-aaaaaa`),
      path.join(shard, '.tmp-CIQSOMETHING-456-bbbbbb'),
      path.join(otherShard, '.tmp-CIQOTHER-789-cccccc')
    ]
    for (const file of leftovers) await fs.writeFile(file, 'half a block')

    const reopened = new FsBlockstore(dir)
    expect(await reopened.open()).toBe(3)
    for (const file of leftovers) await expect(fs.access(file)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(sameBytes(await reopened.getBytes(cid), bytes)).toBe(true)
    // a second open finds nothing to sweep
    expect(await new FsBlockstore(dir).open()).toBe(0)
  })

  it('leaves no temp file behind after puts', async () => {
    const store = await openStore()
    for (let i = 0; i < 20; i++) {
      const { cid, bytes } = await rawBlock(patternBytes(100 + i, i + 1))
      await store.put(cid, bytes)
    }
    for (const shard of await fs.readdir(store.path)) {
      const names = await fs.readdir(path.join(store.path, shard))
      expect(names.filter(n => n.startsWith('.tmp-'))).toEqual([])
    }
  })

  it('writes and reads the same block concurrently without corrupting it', async () => {
    const store = await openStore({ fsync: 'always' })
    const { cid, bytes } = await rawBlock(patternBytes(256 * 1024, 4))
    await Promise.all(Array.from({ length: 8 }, async () => await store.put(cid, bytes)))
    expect(sameBytes(await store.getBytes(cid), bytes)).toBe(true)
  })

  it('answers identity CIDs from the CID itself, writing nothing', async () => {
    const store = await openStore()
    const cid = CID.createV1(0x55, identity.digest(HELLO))
    expect(await store.has(cid)).toBe(true)
    expect(sameBytes(await store.getBytes(cid), HELLO)).toBe(true)
    await store.put(cid, HELLO)
    expect(await fs.readdir(store.path)).toEqual([])
  })

  it('stops when its signal is aborted', async () => {
    const store = await openStore()
    const { cid, bytes } = await rawBlock(HELLO)
    const controller = new AbortController()
    controller.abort()
    await expect(store.put(cid, bytes, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(await store.has(cid)).toBe(false)
  })
})

describe('FsBlockstore.stage (write while the caller hashes)', () => {
  it('writes a block whose CID is given afterwards, and leaves no temp file once closed', async () => {
    const store = await stagingStore()
    const { cid, bytes } = await rawBlock(patternBytes(300_000, 5))
    const staged = store.stage(bytes)
    expect(staged).toBeDefined()
    expect(await staged?.commit(cid)).toBe(true)
    expect(sameBytes(await store.getBytes(cid), bytes)).toBe(true)
    expect(store.fileOf(cid).startsWith(store.path)).toBe(true)
    await store.close()
    expect(await topTemps(store)).toEqual([])
  })

  it('drops the staged copy of a block that is stored already, keeping the stored file', async () => {
    const store = await stagingStore()
    const { cid, bytes } = await rawBlock(patternBytes(70_000, 6))
    await store.put(cid, bytes)
    const before = await fs.stat(store.fileOf(cid))
    expect(await store.stage(bytes)?.commit(cid)).toBe(false)
    const after = await fs.stat(store.fileOf(cid))
    expect(after.ino).toBe(before.ino)
    await waitForSpare(store)
    // only the next spare is left, and close removes it
    expect(await topTemps(store)).toHaveLength(1)
    await store.close()
    expect(await topTemps(store)).toEqual([])
  })

  it('replaces a truncated block file with the staged copy', async () => {
    const store = await stagingStore()
    const { cid, bytes } = await rawBlock(patternBytes(50_000, 7))
    await store.put(cid, bytes)
    await fs.truncate(store.fileOf(cid), 100)
    expect(await store.stage(bytes)?.commit(cid)).toBe(true)
    expect(sameBytes(await store.getBytes(cid), bytes)).toBe(true)
    await store.close()
  })

  it('removes staged temp files a crash left at the top of the blocks directory when it opens', async () => {
    const dir = path.join(await sandbox.dir(), 'blocks')
    await fs.mkdir(dir, { recursive: true })
    const leftover = path.join(dir, '.tmp-staged-123-aaaaaaaa0')
    await fs.writeFile(leftover, 'half a chunk')
    const store = new FsBlockstore(dir)
    expect(await store.open()).toBe(1)
    await expect(fs.access(leftover)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('writes a block of several WRITE_PIECE_BYTES pieces whole, through put and through stage', async () => {
    for (const fsync of ['never', 'always'] as const) {
      const store = await stagingStore({ fsync })
      const size = 2 * WRITE_PIECE_BYTES + 12_345
      const put = await rawBlock(patternBytes(size, 9))
      await store.put(put.cid, put.bytes)
      expect((await fs.stat(store.fileOf(put.cid))).size).toBe(size)
      expect(sameBytes(await store.getBytes(put.cid), put.bytes)).toBe(true)
      const staged = await rawBlock(patternBytes(size, 10))
      expect(await store.stage(staged.bytes)?.commit(staged.cid)).toBe(true)
      expect(sameBytes(await store.getBytes(staged.cid), staged.bytes)).toBe(true)
      await store.close()
    }
  })

  it('flushes a staged block before naming it with fsync always', async () => {
    const store = await stagingStore({ fsync: 'always' })
    const { cid, bytes } = await rawBlock(patternBytes(4096, 8))
    expect(await store.stage(bytes)?.commit(cid)).toBe(true)
    expect(sameBytes(await store.getBytes(cid), bytes)).toBe(true)
    await store.close()
  })
})

/** Temp files at the top of the blocks directory (staged chunks and the spare). */
async function topTemps (store: FsBlockstore): Promise<string[]> {
  return (await fs.readdir(store.path)).filter(n => n.startsWith('.tmp-'))
}

/** A store with a temp file open for the next stage(): the first call only opens one. */
async function stagingStore (init: ConstructorParameters<typeof FsBlockstore>[1] = {}): Promise<FsBlockstore> {
  const store = await openStore(init)
  expect(store.stage(HELLO)).toBeUndefined()
  await waitForSpare(store)
  return store
}

/** Until the store has a temp file open for the next stage(). */
async function waitForSpare (store: FsBlockstore): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await fs.readdir(store.path)).some(n => n.startsWith('.tmp-staged-'))) {
      await new Promise(resolve => setTimeout(resolve, 5)) // opened on disk; its fd lands on the next tick
      return
    }
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  throw new Error('no spare temp file opened')
}

