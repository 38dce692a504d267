/**
 * HAMT-sharded directories made by ipfs-unixfs-importer (not by us), read
 * through the RPC API (`ls`, `cat`, `get`) and the trustless gateway (files by
 * path, listings, index.html, CARs). CAR responses are checked with
 * @helia/unixfs over only the blocks they carry, so a missing shard node on
 * the path would fail.
 */
import { CarBlockIterator } from '@ipld/car/iterator'
import * as dagPb from '@ipld/dag-pb'
import { unixfs } from '@helia/unixfs'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { CID } from 'multiformats/cid'
import tar from 'tar-stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyBlock } from '../../src/blocks/index.ts'
import { all, collect } from '../fixtures/bytes.ts'
import { blockOf, manyFiles } from '../fixtures/hamt-tree.ts'
import { referenceTree } from '../fixtures/reference-tree.ts'
import { startHttpNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { GatewayServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'
import type { HttpNode } from '../fixtures/http-node.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

const sandbox = new Sandbox()
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const decode = (b: Uint8Array): string => new TextDecoder().decode(b)

/** The blocks of a CAR response, each checked against its CID, in a store of their own. */
async function carStore (res: Response): Promise<{ store: MemoryBlockstore, cids: string[] }> {
  expect(res.status).toBe(200)
  const store = new MemoryBlockstore()
  const cids: string[] = []
  for await (const block of await CarBlockIterator.fromBytes(new Uint8Array(await res.arrayBuffer()))) {
    expect(verifyBlock(block.cid, block.bytes), block.cid.toString()).toBe(true)
    await store.put(block.cid, block.bytes)
    cids.push(block.cid.toString())
  }
  return { store, cids }
}

/** Names and contents of a tar archive ('dir' for directories). */
async function untar (bytes: Uint8Array): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const extract = tar.extract()
  const done = (async () => {
    for await (const entry of extract) out.set(entry.header.name, entry.header.type === 'directory' ? 'dir' : decode(await collect(entry as AsyncIterable<Uint8Array>)))
  })()
  extract.end(Buffer.from(bytes))
  await done
  return out
}

describe('reading HAMT-sharded directories made by ipfs-unixfs-importer', () => {
  let node: HttpNode
  let kit: Kit
  let gateway: GatewayServer
  let client: KuboRPCClient
  const reference = new MemoryBlockstore()
  let root: CID
  let more: CID

  beforeAll(async () => {
    node = await startHttpNode(sandbox)
    ;({ kit, gateway, client } = node)
    // site: 4,600 files and `more`, itself 4,600 files and an index.html; both sharded
    const entries = [...manyFiles('site', 4600), ...manyFiles('site/more', 4600, 100_000), { path: 'site/more/index.html', content: text('<h1>more</h1>') }]
    root = CID.parse((await referenceTree(entries, { blockstore: reference })).get('site') as string)
    more = (await unixfs({ blockstore: reference }).stat(root, { path: 'more' })).cid
    for await (const { cid, bytes } of reference.getAll()) await kit.helia.blockstore.put(cid, bytes)
  }, 120_000)
  afterAll(async () => {
    await node.stop()
    await sandbox.cleanup()
  })

  it('lists a sharded directory over RPC ls, with types and sizes', async () => {
    const listed = await all(client.ls(root))
    expect(listed).toHaveLength(4601)
    expect(listed.find(l => l.name === 'more')?.type).toBe('dir')
    expect(listed.find(l => l.name === 'file-000042.txt')).toMatchObject({ type: 'file', size: 'file 42\n'.length })
  })

  it('cats a file by its path through a shard and a nested shard', async () => {
    expect(decode(await collect(client.cat(`/ipfs/${root}/more/file-100123.txt`)))).toBe('file 100123\n')
    expect(decode(await collect(client.cat(`/ipfs/${root}/file-004599.txt`)))).toBe('file 4599\n')
    await expect(collect(client.cat(`/ipfs/${root}/more/file-999999.txt`))).rejects.toMatchObject({ name: 'HTTPError', message: expect.stringContaining('content not found') })
  })

  it('gets a sharded directory as a tar holding every entry', async () => {
    const entries = await untar(await collect(client.get(`/ipfs/${root}/more`)))
    expect(entries.get('more')).toBe('dir')
    expect(entries.size).toBe(1 + 4600 + 1)
    expect(entries.get('more/file-104321.txt')).toBe('file 104321\n')
    expect(entries.get('more/index.html')).toBe('<h1>more</h1>')
  })

  it('serves a file through the shards at /ipfs/<root>/<path> on the gateway', async () => {
    const res = await fetch(`${gateway.url}/ipfs/${root}/more/file-100007.txt`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('file 100007\n')
    expect(res.headers.get('x-ipfs-roots')?.split(',')).toHaveLength(3)
    expect((await fetch(`${gateway.url}/ipfs/${root}/more/file-999999.txt`)).status).toBe(404)
  })

  it('lists a sharded directory on the gateway, and serves the index.html of one', async () => {
    const listing = await fetch(`${gateway.url}/ipfs/${root}/`)
    expect(listing.status).toBe(200)
    const html = await listing.text()
    expect(html.match(/<li>/g)).toHaveLength(4601)
    expect(html).toContain('file-001234.txt')
    const index = await fetch(`${gateway.url}/ipfs/${root}/more/`)
    expect(await index.text()).toBe('<h1>more</h1>')
  })

  it('puts every shard node a path crosses in its CAR, enough for @helia/unixfs to verify the path', async () => {
    const { store, cids } = await carStore(await fetch(`${gateway.url}/ipfs/${root}/more/file-100123.txt?format=car&dag-scope=block`))
    expect(cids[0]).toBe(root.toString())
    // root, sub-shard(s), more, sub-shard(s), the file
    expect(cids.length).toBeGreaterThanOrEqual(5)
    const fs = unixfs({ blockstore: store })
    expect(decode(await collect(fs.cat(root, { path: 'more/file-100123.txt' })))).toBe('file 100123\n')
  })

  it('sends every shard node of a sharded directory for dag-scope=entity, and none of its entries', async () => {
    const { cids } = await carStore(await fetch(`${gateway.url}/ipfs/${root}/more?format=car&dag-scope=entity`))
    // the shard nodes under `more`: every dag-pb block below it (its entries are raw blocks)
    const shardNodes = new Set<string>()
    const pending = [more]
    while (pending.length > 0) {
      const cid = pending.pop() as CID
      if (cid.code !== dagPb.code) continue
      shardNodes.add(cid.toString())
      for (const link of dagPb.decode(await blockOf(reference, cid)).Links) pending.push(link.Hash)
    }
    expect(shardNodes.size).toBeGreaterThan(200)
    const afterPath = cids.slice(cids.indexOf(more.toString()))
    expect(new Set(afterPath)).toEqual(shardNodes)
    expect(cids.every(c => CID.parse(c).code === dagPb.code)).toBe(true)
  })
})
