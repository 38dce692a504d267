/**
 * Directory adds over the RPC API, driven by kubo-rpc-client's `addAll`:
 * every file and directory CID equals ipfs-unixfs-importer's with the
 * unixfs-v1-2025 parameters (HAMT-sharded past 256 KiB), and the tree can be
 * listed and fetched back.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MIB, all, collect, patternBytes } from '../fixtures/bytes.ts'
import { manyFiles } from '../fixtures/hamt-tree.ts'
import { referenceTree } from '../fixtures/reference-tree.ts'
import { startRpcNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { writeDagPbBlock } from '../../src/unixfs/index.ts'
import type { RpcServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'
import type { TreeEntry } from '../fixtures/reference-tree.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

const sandbox = new Sandbox()
/** An empty UnixFS directory, CIDv1 (`ipfs object new unixfs-dir --cid-version 1`). */
const EMPTY_DIR_CID = 'bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A small tree: nested directories, an empty one, a multi-block file, names that sort differently by byte and by locale. */
const TREE: TreeEntry[] = [
  { path: 'model/config.json', content: text('{"layers":2}') },
  { path: 'model/weights/part-1.bin', content: patternBytes(MIB + 17, 3) },
  { path: 'model/weights/part-0.bin', content: patternBytes(1000, 4) },
  { path: 'model/Zeta.txt', content: text('upper case sorts first') },
  { path: 'model/empty' },
  { path: 'model/alpha.txt', content: text('') }
]

describe('RPC add of directories', () => {
  let kit: Kit
  let server: RpcServer
  let client: KuboRPCClient

  beforeEach(async () => {
    ;({ kit, rpc: server, client } = await startRpcNode(sandbox))
  })
  afterEach(async () => {
    await server.stop()
    await sandbox.cleanup()
  })

  it('gives every file and directory the CID ipfs-unixfs-importer gives it, and pins the root', async () => {
    const expected = await referenceTree(TREE)
    const added = await all(client.addAll(TREE))
    const got = new Map(added.map(a => [a.path, a.cid.toString()]))
    expect(expected.size).toBe(7)
    for (const [path, cid] of expected) expect(got.get(path), path).toBe(cid)
    // the importer does not report an empty directory; Kubo does, under the well-known empty-directory CID
    expect(got.get('model/empty')).toBe(EMPTY_DIR_CID)
    expect(got.size).toBe(8)
    // files as they are stored, then directories children first, the root last
    expect(added.at(-1)?.path).toBe('model')
    expect(added.findIndex(a => a.path === 'model/weights')).toBeLessThan(added.findIndex(a => a.path === 'model'))
    const pins = (await all(client.pin.ls())).map(p => p.cid.toString())
    expect(pins).toEqual([expected.get('model')])
    // the root pin holds the whole tree through gc
    await all(client.repo.gc())
    expect(await kit.storage.exists(expected.get('model/weights/part-1.bin') as string)).toBe(true)
  })

  it('wraps everything in one directory with wrap-with-directory, reported under the name ""', async () => {
    const entries: TreeEntry[] = [{ path: 'a.txt', content: text('a') }, { path: 'b/c.txt', content: text('c') }]
    const expected = await referenceTree(entries, { wrapWithDirectory: true })
    const added = await all(client.addAll(entries, { wrapWithDirectory: true }))
    expect(new Map(added.map(a => [a.path, a.cid.toString()]))).toEqual(expected)
    expect(added.at(-1)?.path).toBe('')
    expect((await all(client.pin.ls())).map(p => p.cid.toString())).toEqual([expected.get('')])
  })

  it('reports Kubo\'s cumulative Size for a directory: its block plus its links', async () => {
    const added = await all(client.addAll([{ path: 'd/x', content: text('12345') }]))
    const dir = added.find(a => a.path === 'd')
    const block = await client.block.get(dir?.cid as any)
    expect(dir?.size).toBe(block.byteLength + 5)
  })

  it('lists a directory as Kubo does, with types and sizes', async () => {
    const added = await all(client.addAll(TREE))
    const root = added.find(a => a.path === 'model')?.cid
    const listed = await all(client.ls(root as any))
    expect(listed.map(l => [l.name, l.type])).toEqual([
      ['Zeta.txt', 'file'], ['alpha.txt', 'file'], ['config.json', 'file'], ['empty', 'dir'], ['weights', 'dir']
    ])
    expect(listed.find(l => l.name === 'config.json')?.size).toBe(12)
    const weights = await all(client.ls(`/ipfs/${root}/weights`))
    expect(weights.map(l => [l.name, l.size])).toEqual([['part-0.bin', 1000], ['part-1.bin', MIB + 17]])
  })

  it('cats a file by its path inside a directory', async () => {
    const added = await all(client.addAll(TREE))
    const root = added.find(a => a.path === 'model')?.cid
    const bytes = await collect(client.cat(`/ipfs/${root}/weights/part-1.bin`))
    expect(Buffer.compare(bytes, patternBytes(MIB + 17, 3))).toBe(0)
  })

  it('refuses paths that climb out of the tree, and stores nothing pinned', async () => {
    for (const path of ['../evil.txt', 'a/../../b', 'a//b', 'a\\b']) {
      await expect(all(client.addAll([{ path, content: text('x') }])), path).rejects.toThrow(/refusing file path/)
    }
    expect(await all(client.pin.ls())).toEqual([])
  })

  it('refuses ls, get and cat paths that climb out of a directory, with 400', async () => {
    const added = await all(client.addAll(TREE))
    const root = added.find(a => a.path === 'model')?.cid.toString() as string
    for (const command of ['ls', 'get', 'cat']) {
      for (const path of [`/ipfs/${root}/../x`, `/ipfs/${root}//weights`, `/ipfs/${root}/a\\b`]) {
        const res = await fetch(`${server.url}/api/v0/${command}?arg=${encodeURIComponent(path)}`, { method: 'POST' })
        expect(res.status, `${command} ${path}`).toBe(400)
        expect(await res.json()).toMatchObject({ Code: 0, Type: 'error' })
      }
    }
    const missing = await fetch(`${server.url}/api/v0/ls?arg=${root}/no-such-entry`, { method: 'POST' })
    expect(missing.status).toBe(500)
  })

  it('fails a get (the tar stream is cut, the client sees an error) whose directory has a link named ../../.bashrc, .., a\\b or x/y', async () => {
    const { cid: file } = await client.add(text('echo pwned'), { cidVersion: 1, rawLeaves: true })
    const { cid: good } = await client.add(text('fine'), { cidVersion: 1, rawLeaves: true })
    for (const name of ['../../.bashrc', '..', 'a\\b', 'x/y']) {
      // a hand-built dag-pb directory: a harmless entry first (so the tar has begun), then the hostile one
      const block = dagPb.encode(dagPb.prepare({
        Data: new UnixFS({ type: 'directory' }).marshal(),
        Links: [{ Name: '-first.txt', Hash: good, Tsize: 4 }, { Name: name, Hash: file, Tsize: 10 }]
      }))
      const cid = await writeDagPbBlock(block, { put: async (c, bytes) => { expect((await client.block.put(bytes, { format: 'dag-pb', mhtype: 'sha2-256', version: 1 })).toString()).toBe(c.toString()) } })
      const outcome = await fetch(`${server.url}/api/v0/get?arg=${cid.toString()}`, { method: 'POST' })
        .then(async res => { await res.arrayBuffer(); return `complete (${res.status})` })
        .catch((err: Error) => `failed: ${err.message}`)
      expect(outcome, name).toMatch(/^failed/)
      // undici's error for a connection the server cut: 'terminated' once the response headers were
      // read, 'fetch failed' (cause: the socket closed) when the cut came before they were flushed
      const error = await collect(client.get(cid)).then(() => undefined, (err: Error) => err)
      expect(error?.name, name).toBe('TypeError')
      expect(error?.message, name).toMatch(/^(terminated|fetch failed)$/)
    }
    // the server is still serving
    expect((await client.id()).id.toString()).toBe(kit.peerId.toString())
  })

  it('adds a directory of 5,000 files as the HAMT shard ipfs-unixfs-importer builds, pins it, and reads it back', async () => {
    const entries = manyFiles('big', 5000)
    const expected = await referenceTree(entries)
    const added = await all(client.addAll(entries))
    const root = added.at(-1)
    expect(root?.path).toBe('big')
    expect(root?.cid.toString()).toBe(expected.get('big'))
    expect((await all(client.pin.ls())).map(p => p.cid.toString())).toEqual([expected.get('big')])
    // the root is a shard: its block is a UnixFS HAMTShard, not a 5,000-link node
    const block = await client.block.get(root?.cid as any)
    expect(UnixFS.unmarshal(dagPb.decode(block).Data as Uint8Array).type).toBe('hamt-sharded-directory')
    // its reported Size is the whole DAG's, as Kubo's
    expect(root?.size).toBeGreaterThan(5000 * 10)
    // gc keeps every shard node and file
    await all(client.repo.gc())
    const listed = await all(client.ls(`/ipfs/${root?.cid}`))
    expect(listed).toHaveLength(5000)
    expect(new Set(listed.map(l => l.name))).toEqual(new Set(entries.map(e => e.path.slice('big/'.length))))
    expect(new TextDecoder().decode(await collect(client.cat(`/ipfs/${root?.cid}/file-004321.txt`)))).toBe('file 4321\n')
  }, 120_000)
})
