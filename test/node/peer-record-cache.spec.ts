import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { afterEach, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import { PeerRecordCache } from '../../src/node/peer-record-cache.ts'
import type { Kit } from '../../src/index.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)
const drain = async <T>(it: AsyncIterable<T> | Iterable<T>): Promise<T[]> => { const out: T[] = []; for await (const x of it) out.push(x); return out }

describe('peer record cache (libp2p peer records in memory, written behind)', () => {
  const dirs: string[] = []
  const closers: Array<() => Promise<void>> = []
  const level = async (): Promise<LevelDatastore> => {
    const dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-peer-records-'))
    dirs.push(dir)
    const store = new LevelDatastore(dir)
    await store.open()
    closers.push(async () => { await store.close() })
    return store
  }
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
    await Promise.all(dirs.splice(0).map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  })

  it('answers peer reads from memory and writes changes behind, in one batch', async () => {
    const inner = await level()
    const cache = new PeerRecordCache(inner, { maxRecords: 100, flushMs: 60_000 })
    const a = new Key('/peers/a')
    await expect(cache.get(a)).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(await cache.has(a)).toBe(false)
    await cache.put(a, bytes('one'))
    await cache.put(a, bytes('two'))
    expect(text(await cache.get(a))).toBe('two')
    expect(await inner.has(a)).toBe(false) // not yet written
    expect(cache.size.dirty).toBe(1)
    await cache.flush()
    expect(text(await inner.get(a))).toBe('two')
    expect(cache.size.dirty).toBe(0)
    // a record written by someone else before the cache read it is read once, then from memory
    await inner.put(new Key('/peers/b'), bytes('theirs'))
    expect(text(await cache.get(new Key('/peers/b')))).toBe('theirs')
    await inner.delete(new Key('/peers/b'))
    expect(text(await cache.get(new Key('/peers/b')))).toBe('theirs')
  })

  it('passes every other key straight through', async () => {
    const inner = await level()
    const cache = new PeerRecordCache(inner, { maxRecords: 100, flushMs: 60_000 })
    await cache.put(new Key('/dht/record/x'), bytes('r'))
    expect(text(await inner.get(new Key('/dht/record/x')))).toBe('r')
    const batch = cache.batch()
    batch.put(new Key('/pins/p'), bytes('pin'))
    batch.put(new Key('/peers/c'), bytes('peer'))
    await batch.commit()
    expect(text(await inner.get(new Key('/pins/p')))).toBe('pin')
    expect(await inner.has(new Key('/peers/c'))).toBe(false)
    expect(text(await cache.get(new Key('/peers/c')))).toBe('peer')
  })

  it('lets queries over /peers/ see every record, and deletes for good', async () => {
    const inner = await level()
    const cache = new PeerRecordCache(inner, { maxRecords: 100, flushMs: 60_000 })
    for (const id of ['a', 'b', 'c']) await cache.put(new Key(`/peers/${id}`), bytes(id))
    await cache.delete(new Key('/peers/b'))
    const keys = (await drain(cache.query({ prefix: '/peers' }))).map(p => p.key.toString()).sort()
    expect(keys).toEqual(['/peers/a', '/peers/c'])
    expect((await drain(cache.queryKeys({}))).map(k => k.toString()).sort()).toEqual(['/peers/a', '/peers/c'])
    await cache.put(new Key('/peers/b'), bytes('b2'))
    const deleting = cache.delete(new Key('/peers/b'))
    await cache.flush()
    await deleting
    expect(await inner.has(new Key('/peers/b'))).toBe(false)
    expect(await cache.has(new Key('/peers/b'))).toBe(false)
  })

  it('stays within its bound but never drops a record it has not written', async () => {
    const inner = await level()
    const cache = new PeerRecordCache(inner, { maxRecords: 4, flushMs: 60_000 })
    for (let i = 0; i < 10; i++) await cache.put(new Key(`/peers/${i}`), bytes(String(i)))
    expect(cache.size.records).toBe(10) // all dirty
    await cache.flush()
    expect(cache.size.records).toBe(4)
    for (let i = 0; i < 10; i++) expect(text(await cache.get(new Key(`/peers/${i}`)))).toBe(String(i))
    expect(cache.size.records).toBe(4)
  })

  it('writes on its own within flushMs, and everything at stop', async () => {
    const inner = await level()
    const cache = new PeerRecordCache(inner, { maxRecords: 100, flushMs: 50 })
    await cache.put(new Key('/peers/t'), bytes('timer'))
    await expect.poll(async () => await inner.has(new Key('/peers/t')), { timeout: 2000 }).toBe(true)
    const slow = new PeerRecordCache(inner, { maxRecords: 100, flushMs: 60_000 })
    await slow.put(new Key('/peers/s'), bytes('stop'))
    await slow.stop()
    expect(text(await inner.get(new Key('/peers/s')))).toBe('stop')
  })

  describe('in a node', () => {
    const kits: Kit[] = []
    afterEach(async () => { await Promise.all(kits.splice(0).map(async k => { await k.stop() })) })

    it('a node stopped right after meeting a peer still knows it, with its protocols, when it starts again', async () => {
      const dirA = await mkdtemp(join(tmpdir(), 'ipfs-kit-peer-records-'))
      const dirB = await mkdtemp(join(tmpdir(), 'ipfs-kit-peer-records-'))
      dirs.push(dirA, dirB)
      const listen = ['/ip4/127.0.0.1/tcp/0']
      const a = await createKit({ dataDir: dirA, listen })
      kits.push(a)
      let b = await createKit({ dataDir: dirB, listen })
      kits.push(b)
      await b.dial(a.addresses()[0] ?? '')
      // the peer store is libp2p's (internal to the kit): what identify told B about A
      const protocolsOfA = async (kit: Kit): Promise<string[]> => await kit.libp2p!.peerStore.get(a.libp2p!.peerId).then(p => p.protocols, () => [])
      await expect.poll(async () => (await protocolsOfA(b)).length, { timeout: 10_000 }).toBeGreaterThan(0)
      const known = await protocolsOfA(b)
      expect(known).toContain('/ipfs/id/1.0.0')
      await b.stop()
      kits.splice(kits.indexOf(b), 1)
      b = await createKit({ dataDir: dirB, listen })
      kits.push(b)
      expect((await protocolsOfA(b)).sort()).toEqual([...known].sort())
    })
  })
})
