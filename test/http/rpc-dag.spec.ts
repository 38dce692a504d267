/**
 * `get` (tar), `dag/export` → `dag/import` between two kits, a tampered CAR,
 * and the models routes — all through kubo-rpc-client against real servers.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { CarBlockIterator } from '@ipld/car/iterator'
import { create } from 'kubo-rpc-client'
import tar from 'tar-stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { MIB, all, collect, patternBytes, sameBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { RpcServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

const sandbox = new Sandbox()
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Entries of a tar archive: name → bytes ('dir' for directories). */
async function untar (bytes: Uint8Array): Promise<Map<string, Uint8Array | 'dir'>> {
  const out = new Map<string, Uint8Array | 'dir'>()
  const extract = tar.extract()
  const done = (async () => {
    for await (const entry of extract) {
      const content = await collect(entry as AsyncIterable<Uint8Array>)
      out.set(entry.header.name, entry.header.type === 'directory' ? 'dir' : content)
    }
  })()
  extract.end(Buffer.from(bytes))
  await done
  return out
}

const TOKEN = 'a-long-enough-api-token-0123456789'
const AUTH = { Authorization: `Bearer ${TOKEN}` }

async function serve (kit: Kit, init: { allowedPaths?: string[] } = {}): Promise<{ server: RpcServer, client: KuboRPCClient }> {
  const server = createRpcServer(kit, { host: '127.0.0.1', port: 0, ...(init.allowedPaths != null ? { authToken: TOKEN, allowedPaths: init.allowedPaths } : {}) })
  await server.start()
  return { server, client: create({ url: server.url }) }
}

describe('RPC get, dag/export, dag/import and models', () => {
  let kit: Kit
  let server: RpcServer
  let client: KuboRPCClient
  const servers: RpcServer[] = []

  beforeEach(async () => {
    kit = await sandbox.kit()
    ;({ server, client } = await serve(kit))
    servers.push(server)
  })
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(async s => { await s.stop() }))
    await sandbox.cleanup()
  })

  const big = patternBytes(2 * MIB + 5, 9)
  const tree = [
    { path: 'tree/readme.md', content: text('# hi') },
    { path: 'tree/data/big.bin', content: big },
    { path: 'tree/empty' }
  ]

  it('gets a directory as a tar stream, names under the CID, bytes equal', async () => {
    const added = await all(client.addAll(tree))
    const root = added.find(a => a.path === 'tree')?.cid.toString() as string
    const entries = await untar(await collect(client.get(root)))
    expect([...entries.keys()].sort()).toEqual([root, `${root}/data`, `${root}/data/big.bin`, `${root}/empty`, `${root}/readme.md`].sort())
    expect(entries.get(`${root}/empty`)).toBe('dir')
    expect(sameBytes(entries.get(`${root}/data/big.bin`) as Uint8Array, big)).toBe(true)
    expect(new TextDecoder().decode(entries.get(`${root}/readme.md`) as Uint8Array)).toBe('# hi')
  })

  it('gets a file by path as a one-entry tar named after it', async () => {
    const added = await all(client.addAll(tree))
    const root = added.find(a => a.path === 'tree')?.cid.toString() as string
    const entries = await untar(await collect(client.get(`/ipfs/${root}/data/big.bin`)))
    expect([...entries.keys()]).toEqual(['big.bin'])
    expect(sameBytes(entries.get('big.bin') as Uint8Array, big)).toBe(true)
  })

  it('exports a DAG as a CAR that a second kit imports, verifies and pins', async () => {
    const added = await all(client.addAll(tree))
    const root = added.find(a => a.path === 'tree')?.cid
    if (root == null) throw new Error('no root')
    const car = await collect(client.dag.export(root))
    // roots = [root], parents before children, each block once
    const reader = await CarBlockIterator.fromBytes(car)
    expect((await reader.getRoots()).map(String)).toEqual([root.toString()])
    const cids = (await all(reader)).map(b => b.cid.toString())
    expect(cids[0]).toBe(root.toString())
    expect(new Set(cids).size).toBe(cids.length)
    expect(cids.length).toBe((await kit.storage.status()).repo.blocks)

    const other = await serve(await sandbox.kit())
    servers.push(other.server)
    const imported = await all(other.client.dag.import([car]))
    expect(imported.map(i => [i.root.cid.toString(), i.root.pinErrorMsg])).toEqual([[root.toString(), '']])
    expect((await all(other.client.pin.ls())).map(p => p.cid.toString())).toEqual([root.toString()])
    expect(sameBytes(await collect(other.client.cat(`/ipfs/${root}/data/big.bin`)), big)).toBe(true)
  })

  it('refuses a CAR with a tampered block and writes nothing', async () => {
    const cid = (await client.add(patternBytes(3 * MIB, 2))).cid
    const car = await collect(client.dag.export(cid))
    // flip one byte deep inside the last block's data
    const tampered = car.slice()
    const at = tampered.length - 100
    tampered[at] = (tampered[at] as number) ^ 0xff
    const other = await serve(await sandbox.kit())
    servers.push(other.server)
    await expect(all(other.client.dag.import([tampered]))).rejects.toThrow(/does not match its CID/)
    expect((await other.client.repo.stat()).numObjects).toBe(0n)
    expect(await all(other.client.pin.ls())).toEqual([])
    // the untouched CAR imports
    expect((await all(other.client.dag.import([car]))).map(i => i.root.cid.toString())).toEqual([cid.toString()])
  })

  it('imports without pinning with pin-roots=false, and reports a root whose blocks are missing', async () => {
    const cid = (await client.add(patternBytes(2 * MIB, 5))).cid
    const car = await collect(client.dag.export(cid))
    const other = await serve(await sandbox.kit())
    servers.push(other.server)
    expect((await all(other.client.dag.import([car], { pinRoots: false }))).length).toBe(1)
    expect(await all(other.client.pin.ls())).toEqual([])
    // a CAR of the root block alone: its leaves are missing
    const rootOnly = await collect(client.dag.export(cid)).then(async bytes => {
      const blocks = await all(await CarBlockIterator.fromBytes(bytes))
      const { CarWriter } = await import('@ipld/car/writer')
      const { writer, out } = CarWriter.create([cid])
      const written = collect(out)
      await writer.put(blocks[0] as { cid: typeof cid, bytes: Uint8Array })
      await writer.close()
      return await written
    })
    const third = await serve(await sandbox.kit())
    servers.push(third.server)
    const [line] = await all(third.client.dag.import([rootOnly]))
    expect(line?.root.pinErrorMsg).toMatch(/missing/)
  })

  it('publishes a model directory by absolute path, and refuses a relative one', async () => {
    const dir = await sandbox.dir()
    const { server } = await serve(kit, { allowedPaths: [dir] })
    servers.push(server)
    await fs.writeFile(path.join(dir, 'config.json'), '{"a":1}')
    await fs.writeFile(path.join(dir, 'model.bin'), patternBytes(1000, 1))
    const res = await fetch(`${server.url}/api/v0/ipfs-kit/models/publish?arg=${encodeURIComponent(dir)}&name=acme/tiny&revision=v1`, { method: 'POST', headers: AUTH })
    expect(res.status).toBe(200)
    const body = await res.json() as { Root: string }
    expect(body).toMatchObject({ Name: 'acme/tiny', Revision: 'v1', Files: 2, Root: expect.stringMatching(/^bag|^baf/) })
    expect((await kit.models.list()).map(m => [m.name, m.revision, m.root])).toEqual([['acme/tiny', 'v1', body.Root]])
    const relative = await fetch(`${server.url}/api/v0/ipfs-kit/models/publish?arg=some/dir&name=acme/tiny`, { method: 'POST', headers: AUTH })
    expect(relative.status).toBe(400)
    expect(await relative.json()).toMatchObject({ Message: expect.stringContaining('absolute'), Code: 0, Type: 'error' })
    const badName = await fetch(`${server.url}/api/v0/ipfs-kit/models/publish?arg=${encodeURIComponent(dir)}&name=../etc`, { method: 'POST', headers: AUTH })
    expect(badName.status).toBe(400)
  })

  it('answers models/pull offline with Kubo\'s error shape, and a relative dest with 400', async () => {
    const dest = await sandbox.dir()
    const { server } = await serve(kit, { allowedPaths: [dest] })
    servers.push(server)
    const offline = await fetch(`${server.url}/api/v0/ipfs-kit/models/pull?arg=acme/tiny&dest=${encodeURIComponent(dest)}`, { method: 'POST', headers: AUTH })
    expect(offline.status).toBe(500)
    expect(await offline.json()).toMatchObject({ Message: expect.stringContaining('offline'), Code: 0, Type: 'error' })
    const relative = await fetch(`${server.url}/api/v0/ipfs-kit/models/pull?arg=acme/tiny&dest=out`, { method: 'POST', headers: AUTH })
    expect(relative.status).toBe(400)
  })
})
