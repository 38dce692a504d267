/**
 * The trustless gateway against a real kit, over real HTTP: raw blocks, CARs
 * with dag-scope and entity-bytes, deserialized files with Range, HEAD, ETag,
 * and hostile requests.
 */
import { createHash } from 'node:crypto'
import net from 'node:net'
import { CarBlockIterator } from '@ipld/car/iterator'
import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyBlock } from '../../src/blocks/index.ts'
import { createGatewayServer } from '../../src/http/index.ts'
import { MIB, all, patternBytes, sameBytes } from '../fixtures/bytes.ts'
import { HELLO_WORLD_CID, referenceCid } from '../fixtures/reference-cid.ts'
import { startHttpNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { GatewayServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'
import type { HttpNode } from '../fixtures/http-node.ts'

const sandbox = new Sandbox()
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const big = patternBytes(3 * MIB + 123, 21)

/** The blocks of a CAR response, each checked against its CID. */
async function carBlocks (res: Response): Promise<{ roots: string[], cids: string[] }> {
  const reader = await CarBlockIterator.fromBytes(new Uint8Array(await res.arrayBuffer()))
  const cids: string[] = []
  for await (const block of reader) {
    expect(verifyBlock(block.cid, block.bytes), block.cid.toString()).toBe(true)
    cids.push(block.cid.toString())
  }
  return { roots: (await reader.getRoots()).map(String), cids }
}

/** A raw HTTP request, for targets `fetch` would normalise (`..`, `//`). */
async function rawGet (url: string, target: string): Promise<number> {
  const { hostname, port } = new URL(url)
  return await new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`))
    let data = ''
    socket.on('data', d => { data += d.toString() })
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1])))
    socket.on('error', reject)
  })
}

describe('trustless gateway', () => {
  let node: HttpNode
  let kit: Kit
  let gateway: GatewayServer
  let root: string
  let bigCid: string
  let helloCid: string

  beforeAll(async () => {
    node = await startHttpNode(sandbox)
    ;({ kit, gateway } = node)
    const added = await all(node.client.addAll([
      { path: 'site/index.txt', content: text('hello world') },
      { path: 'site/data/big.bin', content: big },
      { path: 'site/notes.md', content: text('# notes') },
      { path: 'site/a b/ü.txt', content: text('spaces and umlauts') }
    ]))
    root = added.find(a => a.path === 'site')?.cid.toString() as string
    bigCid = added.find(a => a.path === 'site/data/big.bin')?.cid.toString() as string
    helloCid = added.find(a => a.path === 'site/index.txt')?.cid.toString() as string
  })
  afterAll(async () => {
    await node.stop()
    await sandbox.cleanup()
  })

  it('serves a raw block by ?format=raw and by Accept, hashing to its CID', async () => {
    for (const init of [{ url: `${gateway.url}/ipfs/${root}?format=raw` }, { url: `${gateway.url}/ipfs/${root}`, headers: { Accept: 'application/vnd.ipld.raw' } }]) {
      const res = await fetch(init.url, { headers: init.headers })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/vnd.ipld.raw')
      expect(res.headers.get('etag')).toBe(`"${root}.raw"`)
      expect(res.headers.get('content-disposition')).toContain('attachment')
      expect(verifyBlock(CID.parse(root), new Uint8Array(await res.arrayBuffer()))).toBe(true)
    }
  })

  it('serves a file with Content-Type, ETag, immutable caching and the X-Ipfs headers', async () => {
    const res = await fetch(`${gateway.url}/ipfs/${root}/data/big.bin`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('content-length')).toBe(String(big.byteLength))
    expect(res.headers.get('etag')).toBe(`"${bigCid}"`)
    expect(res.headers.get('cache-control')).toBe('public, max-age=29030400, immutable')
    expect(res.headers.get('x-ipfs-path')).toBe(`/ipfs/${root}/data/big.bin`)
    expect(res.headers.get('x-ipfs-roots')?.split(',')).toHaveLength(3)
    expect(res.headers.get('x-ipfs-roots')?.split(',').at(-1)).toBe(bigCid)
    expect(sameBytes(new Uint8Array(await res.arrayBuffer()), big)).toBe(true)
    expect((await fetch(`${gateway.url}/ipfs/${root}/notes.md`)).headers.get('content-type')).toBe('text/markdown; charset=utf-8')
    const sniffed = await fetch(`${gateway.url}/ipfs/${helloCid}`)
    expect(sniffed.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await sniffed.text()).toBe('hello world')
    const encoded = await fetch(`${gateway.url}/ipfs/${root}/a%20b/%C3%BC.txt`)
    expect(await encoded.text()).toBe('spaces and umlauts')
  })

  it('answers Range requests with 206 and the bytes asked for, and 416 past the end', async () => {
    const ranges: Array<[string, number, number]> = [['bytes=0-9', 0, 9], [`bytes=${MIB - 5}-${MIB + 5}`, MIB - 5, MIB + 5], ['bytes=-100', big.byteLength - 100, big.byteLength - 1], [`bytes=${3 * MIB}-`, 3 * MIB, big.byteLength - 1]]
    for (const [header, start, end] of ranges) {
      const res = await fetch(`${gateway.url}/ipfs/${bigCid}`, { headers: { Range: header } })
      expect(res.status, header).toBe(206)
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${big.byteLength}`)
      expect(sameBytes(new Uint8Array(await res.arrayBuffer()), big.subarray(start, end + 1)), header).toBe(true)
    }
    const past = await fetch(`${gateway.url}/ipfs/${bigCid}`, { headers: { Range: `bytes=${big.byteLength}-` } })
    expect(past.status).toBe(416)
  })

  it('answers HEAD with the headers and no body, and If-None-Match with 304', async () => {
    const head = await fetch(`${gateway.url}/ipfs/${bigCid}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(big.byteLength))
    expect((await head.arrayBuffer()).byteLength).toBe(0)
    const again = await fetch(`${gateway.url}/ipfs/${bigCid}`, { headers: { 'If-None-Match': `"${bigCid}"` } })
    expect(again.status).toBe(304)
    const missingHead = await fetch(`${gateway.url}/ipfs/${HELLO_WORLD_CID.replace('n5e', 'aaa')}`, { method: 'HEAD' })
    expect([400, 404]).toContain(missingHead.status)
  })

  it('serves a whole DAG as a CAR: roots = [cid], parents first, every block verified, each once', async () => {
    const res = await fetch(`${gateway.url}/ipfs/${root}?format=car`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n')
    const { roots, cids } = await carBlocks(res)
    expect(roots).toEqual([root])
    expect(cids[0]).toBe(root)
    expect(new Set(cids).size).toBe(cids.length)
    expect(cids.length).toBe((await kit.storage.status()).repo.blocks)
  })

  it('limits a CAR by dag-scope: block, entity (a file, or a directory node), with the path blocks first', async () => {
    const block = await carBlocks(await fetch(`${gateway.url}/ipfs/${root}/data/big.bin?dag-scope=block`, { headers: { Accept: 'application/vnd.ipld.car' } }))
    expect(block.roots).toEqual([root])
    expect(block.cids.length).toBe(3) // root, data, big.bin's root node
    expect(block.cids.at(-1)).toBe(bigCid)
    const entity = await carBlocks(await fetch(`${gateway.url}/ipfs/${root}/data/big.bin?format=car&dag-scope=entity`))
    expect(entity.cids.length).toBe(2 + 1 + 4) // path, root node, 4 leaves
    const dir = await carBlocks(await fetch(`${gateway.url}/ipfs/${root}/data?format=car&dag-scope=entity`))
    expect(dir.cids.length).toBe(2)
  })

  it('sends only the blocks an entity-bytes range needs', async () => {
    const first = await carBlocks(await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=0:10`))
    expect(first.cids.length).toBe(2) // root node and the first leaf
    const straddle = await carBlocks(await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=${MIB - 1}:${MIB}`))
    expect(straddle.cids.length).toBe(3)
    const tail = await carBlocks(await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=-10:*`))
    expect(tail.cids.length).toBe(2)
    const whole = await carBlocks(await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=0:*`))
    expect(whole.cids.length).toBe(5)
    // the ETag tells ranges apart
    const a = await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=0:10`, { method: 'HEAD' })
    const b = await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=0:11`, { method: 'HEAD' })
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'))
  })

  it('refuses hostile input before reading a block', async () => {
    const bad = await fetch(`${gateway.url}/ipfs/not-a-cid`)
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('text/plain')
    for (const target of [`/ipfs/${root}/../${root}`, `/ipfs/${root}/%2e%2e/x`, `/ipfs/${root}//data`, `/ipfs/${root}/a%5Cb`, `/ipfs/${root}/a%00b`, `/ipfs/${root}/%2fetc`, `/ipfs/${root}/%zz`]) {
      expect(await rawGet(gateway.url, target), target).toBe(400)
    }
    expect(await rawGet(gateway.url, `/ipfs/${root}/${'a/'.repeat(3000)}`)).toBe(414)
    for (const range of ['1:0', 'abc', '0:x', '1e5:2', '']) {
      expect((await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=${range}`)).status, range).toBe(400)
    }
    // a huge range is clamped, not trusted: from past the end is 400, to past the end is the rest of the file
    expect((await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=99999999999999999999999:*`)).status).toBe(400)
    const huge = await carBlocks(await fetch(`${gateway.url}/ipfs/${bigCid}?format=car&entity-bytes=0:99999999999999999999999`))
    expect(huge.cids.length).toBe(5)
    expect((await fetch(`${gateway.url}/ipfs/${root}?format=html`)).status).toBe(400)
    expect((await fetch(`${gateway.url}/ipfs/${root}?format=car&dag-scope=everything`)).status).toBe(400)
  })

  it('answers 404 for content it lacks and names not in a directory, 405 for other methods', async () => {
    const missing = await referenceCid(text('never added'))
    expect((await fetch(`${gateway.url}/ipfs/${missing}`)).status).toBe(404)
    expect((await fetch(`${gateway.url}/ipfs/${missing}?format=raw`)).status).toBe(404)
    expect((await fetch(`${gateway.url}/ipfs/${root}/no-such-file`)).status).toBe(404)
    expect((await fetch(`${gateway.url}/ipfs/${root}/index.txt/deeper`)).status).toBe(404)
    expect((await fetch(`${gateway.url}/`)).status).toBe(404)
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${gateway.url}/ipfs/${root}`, { method })
      expect(res.status, method).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
    }
  })

  it('redirects a directory path to its trailing slash, then lists it', async () => {
    const res = await fetch(`${gateway.url}/ipfs/${root}/data`, { redirect: 'manual' })
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe(`/ipfs/${root}/data/`)
    const listing = await fetch(`${gateway.url}/ipfs/${root}/data/`)
    expect(listing.headers.get('content-type')).toContain('text/html')
    expect(await listing.text()).toContain('big.bin')
  })

  it('hashes what it serves: the CAR of a file carries blocks that rebuild the file', async () => {
    const res = await fetch(`${gateway.url}/ipfs/${bigCid}?format=car`)
    const reader = await CarBlockIterator.fromBytes(new Uint8Array(await res.arrayBuffer()))
    const leaves: Uint8Array[] = []
    for await (const block of reader) if (block.cid.code === 0x55) leaves.push(block.bytes)
    expect(createHash('sha256').update(Buffer.concat(leaves)).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'))
  })
})

describe('trustless gateway online', () => {
  afterAll(async () => { await sandbox.cleanup() })

  it('answers 504 when no peer sends a missing block within the fetch timeout', async () => {
    const kit = await sandbox.kit({ offline: false })
    const gateway = createGatewayServer(kit, { host: '127.0.0.1', port: 0, fetchTimeoutMs: 300 })
    await gateway.start()
    try {
      const missing = await referenceCid(text('nobody has this'))
      const started = Date.now()
      const res = await fetch(`${gateway.url}/ipfs/${missing}`)
      expect(res.status).toBe(504)
      expect(await res.text()).toContain('timed out')
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      await gateway.stop()
    }
  }, 30_000)

  it('answers 429 past the concurrent request limit, and serves again once a request ends', async () => {
    const kit = await sandbox.kit({ offline: false })
    const gateway = createGatewayServer(kit, { host: '127.0.0.1', port: 0, fetchTimeoutMs: 1_000, maxConcurrentRequests: 1 })
    await gateway.start()
    try {
      const missing = await referenceCid(text('held open by a slow fetch'))
      const slow = fetch(`${gateway.url}/ipfs/${missing}`)
      await new Promise(resolve => setTimeout(resolve, 200))
      const refused = await fetch(`${gateway.url}/ipfs/${missing}`)
      expect(refused.status).toBe(429)
      expect((await slow).status).toBe(504)
      expect((await fetch(`${gateway.url}/ipfs/not-a-cid`)).status).toBe(400)
    } finally {
      await gateway.stop()
    }
  }, 30_000)
})
