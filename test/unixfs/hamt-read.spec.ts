/**
 * Reading HAMT-sharded directories that ipfs-unixfs-importer made (code that
 * is not ours): listing every entry, looking one name up by its hash through
 * the shard nodes on its path only, resolving paths through nested shards,
 * and refusing shards we cannot read correctly.
 */
import * as dagPb from '@ipld/dag-pb'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import { beforeAll, describe, expect, it } from 'vitest'
import { directoryBlocks, directoryEntries, findEntry, readNode, resolvePath } from '../../src/unixfs/index.ts'
import { writeDagPbBlock } from '../../src/unixfs/dag-pb-block.ts'
import { countingSource, manyFiles } from '../fixtures/hamt-tree.ts'
import { referenceTree } from '../fixtures/reference-tree.ts'
import { all } from '../fixtures/bytes.ts'
import type { UnixFSNode } from '../../src/unixfs/index.ts'

describe('reading HAMT-sharded directories made by ipfs-unixfs-importer', () => {
  const store = new MemoryBlockstore()
  // 5,000 files in a shard, and a sharded subdirectory of 4,600 more
  const files = [...manyFiles('site', 5000), ...manyFiles('site/more', 4600, 100_000)]
  let cids: Map<string, string>
  let root: CID

  beforeAll(async () => {
    cids = await referenceTree(files, { blockstore: store })
    root = CID.parse(cids.get('site') as string)
  }, 60_000)

  it('lists every entry of the shard, sub-shards included, with the importer\'s CIDs', async () => {
    const source = countingSource(store)
    const dir = await readNode(source, root)
    expect(dir.kind).toBe('directory')
    expect(dir.shard?.fanout).toBe(256)
    const entries = await all(directoryEntries(source, dir))
    expect(entries).toHaveLength(5001)
    const byName = new Map(entries.map(e => [e.name, e.cid.toString()]))
    for (const file of files.slice(0, 5000)) expect(byName.get(file.path.slice('site/'.length)), file.path).toBe(cids.get(file.path))
    expect(byName.has('more')).toBe(true)
  })

  it('finds one name by reading only the shard nodes on its hash\'s path', async () => {
    const source = countingSource(store)
    const dir = await readNode(source, root)
    const shardNodes = (await all(directoryBlocks(countingSource(store), dir))).length
    expect(shardNodes).toBeGreaterThan(200)
    for (const file of files.filter((_, i) => i % 997 === 0 && i < 5000)) {
      source.reads = 0
      const name = file.path.slice('site/'.length)
      const found = await findEntry(source, dir, name)
      expect(found?.cid.toString(), name).toBe(cids.get(file.path))
      // the root is in hand; one more block per level below it (5,000 names: two or three levels)
      expect(source.reads, name).toBeLessThanOrEqual(3)
    }
    source.reads = 0
    expect(await findEntry(source, dir, 'no-such-file.txt')).toBeUndefined()
    expect(source.reads).toBeLessThanOrEqual(3)
  })

  it('resolves a path through a shard and a nested shard, reporting every block crossed', async () => {
    const source = countingSource(store)
    const nodes: UnixFSNode[] = []
    const blocks: string[] = []
    const name = 'file-100123.txt'
    const node = await resolvePath(source, root, `more/${name}`, { onNode: n => nodes.push(n), onBlock: b => blocks.push(b.cid.toString()) })
    expect(new TextDecoder().decode(node.bytes)).toBe('file 100123\n')
    expect(node.cid.toString()).toBe(cids.get(`site/more/${name}`))
    // the path's own nodes: the root, the subdirectory, the file
    expect(nodes.map(n => n.kind)).toEqual(['directory', 'directory', 'file'])
    // and between them the sub-shards crossed, each a block that was read
    expect(blocks.length).toBeGreaterThan(3)
    expect(blocks.length).toBe(source.reads)
    expect(blocks[0]).toBe(root.toString())
    expect(blocks.at(-1)).toBe(node.cid.toString())
  })

  it('answers NotFoundError for a name the shard does not hold', async () => {
    await expect(resolvePath(countingSource(store), root, 'more/nothing-here')).rejects.toMatchObject({ name: 'NotFoundError' })
  })

  it('gives the blocks of the directory itself: every shard node, no entry', async () => {
    const dir = await readNode(countingSource(store), root)
    const blocks = await all(directoryBlocks(countingSource(store), dir))
    expect(blocks[0]?.cid.toString()).toBe(root.toString())
    for (const block of blocks) {
      const data = UnixFS.unmarshal(dagPb.decode(block.bytes).Data as Uint8Array)
      expect(data.type).toBe('hamt-sharded-directory')
    }
  })

  it('reads a shard of another width (fanout 16)', async () => {
    const narrowStore = new MemoryBlockstore()
    const narrow = manyFiles('narrow', 4600)
    const narrowCids = await referenceTree(narrow, { blockstore: narrowStore, shardFanoutBits: 4 })
    const source = countingSource(narrowStore)
    const dir = await readNode(source, CID.parse(narrowCids.get('narrow') as string))
    expect(dir.shard?.fanout).toBe(16)
    expect(await all(directoryEntries(source, dir))).toHaveLength(4600)
    const target = narrow[1234]?.path as string
    expect((await findEntry(source, dir, target.slice('narrow/'.length)))?.cid.toString()).toBe(narrowCids.get(target))
  })
})

describe('refusing shards that cannot be read correctly', () => {
  const fileCid = CID.parse('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')

  async function shard (data: UnixFS, links: dagPb.PBLink[]): Promise<{ store: MemoryBlockstore, cid: CID }> {
    const store = new MemoryBlockstore()
    const cid = await writeDagPbBlock(dagPb.encode(dagPb.prepare({ Data: data.marshal(), Links: links })), { put: async (c, b) => { await store.put(c, b) } })
    return { store, cid }
  }

  it('refuses a shard hashed with something other than murmur3-x64-64', async () => {
    const { store, cid } = await shard(new UnixFS({ type: 'hamt-sharded-directory', data: Uint8Array.of(1), fanout: 256n, hashType: 0x23n }), [{ Name: '00a', Hash: fileCid, Tsize: 1 }])
    await expect(readNode(countingSource(store), cid)).rejects.toMatchObject({ name: 'UnsupportedContentError', message: expect.stringContaining('murmur3') })
  })

  it('refuses a fanout that is not a power of two', async () => {
    const { store, cid } = await shard(new UnixFS({ type: 'hamt-sharded-directory', data: Uint8Array.of(1), fanout: 100n, hashType: 0x22n }), [])
    await expect(readNode(countingSource(store), cid)).rejects.toMatchObject({ name: 'UnsupportedContentError', message: expect.stringContaining('fanout 100') })
  })

  it('refuses a sub-shard link that names something other than a shard', async () => {
    const store = new MemoryBlockstore()
    const put = { put: async (c: CID, b: Uint8Array) => { await store.put(c, b) } }
    const plainDir = await writeDagPbBlock(dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: [] })), put)
    const bitfield = new Uint8Array(32)
    bitfield[31] = 1
    const cid = await writeDagPbBlock(dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'hamt-sharded-directory', data: bitfield, fanout: 256n, hashType: 0x22n }).marshal(), Links: [{ Name: '00', Hash: plainDir, Tsize: 4 }] })), put)
    const dir = await readNode(countingSource(store), cid)
    await expect(all(directoryEntries(countingSource(store), dir))).rejects.toMatchObject({ name: 'UnsupportedContentError', message: expect.stringContaining('not a HAMT shard') })
  })
})
