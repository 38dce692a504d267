/**
 * Directories past DIRECTORY_SHARD_THRESHOLD_BYTES are written as HAMT shards
 * with the CIDs Kubo's unixfs-v1-2025 profile gives them. The expected CIDs
 * come from code that is not ours: ipfs-unixfs-importer (with the profile's
 * options spelled out) and, where the importer is known to differ from Kubo
 * (links to subdirectories), @helia/unixfs adding entries one by one as
 * Kubo's MFS-based `add` does.
 */
import * as dagPb from '@ipld/dag-pb'
import { unixfs } from '@helia/unixfs'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { DIRECTORY_SHARD_THRESHOLD_BYTES, HAMT_FANOUT } from '../../src/constants.ts'
import { buildTree, manyFiles, unixfsType } from '../fixtures/hamt-tree.ts'
import { KUBO_SHARD_THRESHOLD, referenceTree } from '../fixtures/reference-tree.ts'
import type { TreeEntry } from '../fixtures/reference-tree.ts'

const encoder = new TextEncoder()

describe('HAMT-sharded directories, as Kubo builds them', () => {
  it('uses Kubo\'s threshold and fanout', () => {
    expect(DIRECTORY_SHARD_THRESHOLD_BYTES).toBe(KUBO_SHARD_THRESHOLD)
    expect(HAMT_FANOUT).toBe(256)
  })

  it('writes a directory of 5,000 files as the HAMT shard ipfs-unixfs-importer writes', async () => {
    const entries = manyFiles('big', 5000)
    const expected = await referenceTree(entries)
    const store = new MemoryBlockstore()
    const ours = await buildTree(entries, store)
    expect(ours.get('big')).toBe(expected.get('big'))
    const root = CID.parse(ours.get('big') as string)
    expect(await unixfsType(store, root)).toBe('hamt-sharded-directory')
    const data = UnixFS.unmarshal(dagPb.decode((await store.get(root).next()).value as Uint8Array).Data as Uint8Array)
    expect(data.fanout).toBe(256n)
  }, 60_000)

  it('keeps a directory whose node is at most 256 KiB plain, and shards it one entry later, as the importer does', async () => {
    // every link has the same size here: names of one length, files of one length
    const entries = (n: number): TreeEntry[] => Array.from({ length: n }, (_, i) => ({ path: `edge/f-${String(i).padStart(6, '0')}`, content: encoder.encode(String(i).padStart(8, '0')) }))
    const sizes = await Promise.all([1, 2].map(async n => {
      const store = new MemoryBlockstore()
      const root = CID.parse((await referenceTree(entries(n), { blockstore: store })).get('edge') as string)
      let bytes = 0
      for await (const part of store.get(root)) bytes += part.byteLength
      return bytes
    }))
    const link = (sizes[1] as number) - (sizes[0] as number)
    const largestPlain = Math.floor((KUBO_SHARD_THRESHOLD - ((sizes[0] as number) - link)) / link)

    for (const [n, type] of [[largestPlain, 'directory'], [largestPlain + 1, 'hamt-sharded-directory']] as const) {
      const reference = new MemoryBlockstore()
      const expected = (await referenceTree(entries(n), { blockstore: reference })).get('edge') as string
      expect(await unixfsType(reference, CID.parse(expected)), `${n} entries`).toBe(type)
      const store = new MemoryBlockstore()
      expect((await buildTree(entries(n), store)).get('edge'), `${n} entries`).toBe(expected)
    }
  }, 60_000)

  it('shards a sharded directory\'s sharded subdirectory too, every CID as the importer gives it', async () => {
    const entries = [...manyFiles('outer', 4600), ...manyFiles('outer/inner', 4600, 10_000)]
    const reference = new MemoryBlockstore()
    const expected = await referenceTree(entries, { blockstore: reference })
    const store = new MemoryBlockstore()
    const ours = await buildTree(entries, store)
    expect(ours.get('outer')).toBe(expected.get('outer'))
    // the importer reports a sharded directory's subdirectories under the shard's path: look it up instead
    const inner = await unixfs({ blockstore: reference }).stat(CID.parse(expected.get('outer') as string), { path: 'inner' })
    expect(ours.get('outer/inner')).toBe(inner.cid.toString())
    expect(await unixfsType(store, CID.parse(ours.get('outer') as string))).toBe('hamt-sharded-directory')
    expect(await unixfsType(store, CID.parse(ours.get('outer/inner') as string))).toBe('hamt-sharded-directory')
  }, 60_000)

  it('counts links to subdirectories towards the threshold, as Kubo does (@helia/unixfs adding them one by one)', async () => {
    // 3,100 subdirectories with 42-byte names: about 266 KB of links, nothing else
    const name = (i: number): string => `d-${String(i).padStart(40, '0')}`
    const entries: TreeEntry[] = Array.from({ length: 3100 }, (_, i) => ({ path: `top/${name(i)}/f.txt`, content: encoder.encode(`content ${i}`) }))
    const reference = new MemoryBlockstore()
    // the subdirectories, from the importer
    const subdirs = await referenceTree(entries, { blockstore: reference })
    // the first 3,000 make a plain directory, still under the threshold (from the importer) ...
    let dir = CID.parse((await referenceTree(entries.slice(0, 3000), { blockstore: reference })).get('top') as string)
    expect(await unixfsType(reference, dir)).toBe('directory')
    // ... and @helia/unixfs adds the last 100 as Kubo's MFS does, sharding once the real block passes 256 KiB
    const fs = unixfs({ blockstore: reference })
    for (let i = 3000; i < 3100; i++) {
      dir = await fs.cp(CID.parse(subdirs.get(`top/${name(i)}`) as string), dir, name(i), { shardSplitThresholdBytes: KUBO_SHARD_THRESHOLD, shardSplitStrategy: 'block-bytes' })
    }
    expect(await unixfsType(reference, dir)).toBe('hamt-sharded-directory')

    const store = new MemoryBlockstore()
    const ours = await buildTree(entries, store)
    expect(ours.get('top')).toBe(dir.toString())
  }, 60_000)

  it('gives the same shard whatever order the files come in', async () => {
    const entries = manyFiles('big', 4600)
    // i → i·7919 mod n is a permutation (7919 is a prime not dividing n)
    const shuffled = entries.map((_, i) => entries[(i * 7919) % entries.length] as TreeEntry)
    expect(shuffled.map(e => e.path)).not.toEqual(entries.map(e => e.path))
    const store = new MemoryBlockstore()
    const a = await buildTree(entries, store)
    const b = await buildTree(shuffled, new MemoryBlockstore())
    expect(b.get('big')).toBe(a.get('big'))
    expect(await unixfsType(store, CID.parse(a.get('big') as string))).toBe('hamt-sharded-directory')
  }, 60_000)

  it('writes shards of another width on request (fanout 16, as the importer with 4 bits)', async () => {
    const entries = manyFiles('narrow', 4600)
    const expected = await referenceTree(entries, { shardFanoutBits: 4 })
    const store = new MemoryBlockstore()
    const ours = CID.parse((await buildTree(entries, store, { shardFanout: 16 })).get('narrow') as string)
    expect(ours.toString()).toBe(expected.get('narrow'))
    expect(await unixfsType(store, ours)).toBe('hamt-sharded-directory')
  }, 60_000)
})
