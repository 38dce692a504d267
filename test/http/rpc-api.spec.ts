/**
 * The Kubo RPC subset, driven by the unmodified kubo-rpc-client against an
 * in-process kit and server on 127.0.0.1 with an OS-chosen port.
 */
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { create } from 'kubo-rpc-client'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { MIB, all, collect, patternBytes } from '../fixtures/bytes.ts'
import { HELLO_WORLD_CID, referenceCid } from '../fixtures/reference-cid.ts'
import { startRpcNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { RpcServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

const sandbox = new Sandbox()
const hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('Kubo RPC API with kubo-rpc-client', () => {
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

  /** A raw POST, for what the client does not let us shape. */
  async function post (command: string, init: RequestInit = {}): Promise<{ status: number, body: any }> {
    const res = await fetch(`${server.url}/api/v0/${command}`, { method: 'POST', ...init })
    const text = await res.text()
    let body: any = text
    try { body = JSON.parse(text) } catch { /* not JSON: keep the text */ }
    return { status: res.status, body }
  }

  it('adds "hello world" under the CID Kubo gives it, pinned, and cats it back', async () => {
    const added = await client.add('hello world')
    expect(added.cid.toString()).toBe(HELLO_WORLD_CID)
    expect(added.size).toBe(11)
    expect(new TextDecoder().decode(await collect(client.cat(added.cid)))).toBe('hello world')
    const pins = await all(client.pin.ls())
    expect(pins.map(p => [p.cid.toString(), p.type])).toEqual([[HELLO_WORLD_CID, 'recursive']])
  })

  it('round-trips a 5 MiB file, with the reference importer\'s CID, and serves byte ranges', async () => {
    const bytes = patternBytes(5 * MIB + 3, 7)
    const added = await client.add({ path: 'weights.bin', content: bytes }, { cidVersion: 1, rawLeaves: true })
    expect(added.path).toBe('weights.bin')
    expect(added.cid.toString()).toBe(await referenceCid(bytes))
    expect(added.size).toBeGreaterThan(bytes.length) // the DAG: data plus the root node
    expect(hex(await collect(client.cat(added.cid)))).toBe(hex(bytes))
    const range = await collect(client.cat(added.cid, { offset: MIB - 2, length: 5 }))
    expect(Array.from(range)).toEqual(Array.from(bytes.subarray(MIB - 2, MIB + 3)))
    expect(await kit.storage.exists(added.cid.toString())).toBe(true)
  })

  it('refuses add options that would give other CIDs than the unixfs-v1-2025 profile', async () => {
    await expect(client.add('x', { cidVersion: 0 })).rejects.toThrow(/cid-version=0 is not supported/)
    await expect(client.add('x', { rawLeaves: false })).rejects.toThrow(/raw-leaves=false is not supported/)
    await expect(client.add('x', { chunker: 'size-262144' })).rejects.toThrow(/chunker=size-262144 is not supported/)
    const { status, body } = await post('add?cid-version=0')
    expect(status).toBe(400)
    expect(body).toEqual({ Message: expect.stringContaining('unixfs-v1-2025'), Code: 0, Type: 'error' })
    expect((await kit.storage.status()).repo.blocks).toBe(0)
  })

  it('adds without pinning when pin=false, so gc removes it and reports the key', async () => {
    const added = await client.add('unpinned bytes', { pin: false })
    expect(await all(client.pin.ls())).toEqual([])
    const removed = await all(client.repo.gc())
    expect(removed.map(r => r.cid?.toString())).toEqual([added.cid.toString()])
    expect(await kit.storage.exists(added.cid.toString())).toBe(false)
  })

  it('pins, lists and unpins', async () => {
    const cid = await kit.storage.store('pin me', { pin: false })
    expect((await client.pin.add(CID.parse(cid))).toString()).toBe(cid)
    expect((await all(client.pin.ls())).map(p => p.cid.toString())).toEqual([cid])
    expect((await client.pin.rm(CID.parse(cid))).toString()).toBe(cid)
    expect(await all(client.pin.ls())).toEqual([])
    await expect(client.pin.rm(CID.parse(cid))).rejects.toThrow(/is not pinned/)
  })

  it('puts, gets and stats raw blocks', async () => {
    const bytes = new TextEncoder().encode('a block')
    const expected = CID.createV1(raw.code, await sha256.digest(bytes))
    const cid = await client.block.put(bytes)
    expect(cid.toString()).toBe(expected.toString())
    expect(new TextDecoder().decode(await client.block.get(cid))).toBe('a block')
    expect(await client.block.stat(cid)).toEqual({ cid: expected, size: bytes.length })
  })

  it('rejects a block whose bytes do not match the CID given for them, and stores nothing', async () => {
    const claimed = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('the real block')))
    await expect(client.block.put(new TextEncoder().encode('forged bytes'), { searchParams: { cid: claimed.toString() } } as any))
      .rejects.toThrow(/block does not match its CID/)
    expect((await kit.storage.status()).repo.blocks).toBe(0)
  })

  it('refuses a block larger than the block limit with 413', async () => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(MIB + 1)]), '')
    const { status, body } = await post('block/put', { body: form })
    expect(status).toBe(413)
    expect(body).toMatchObject({ Code: 0, Type: 'error' })
  })

  it('answers a bad CID with 400 and Kubo\'s error shape', async () => {
    for (const command of ['cat', 'block/get', 'block/stat', 'pin/add']) {
      const { status, body } = await post(`${command}?arg=not-a-cid`)
      expect(status, command).toBe(400)
      expect(body, command).toEqual({ Message: expect.stringContaining('not a valid CID'), Code: 0, Type: 'error' })
    }
    await expect(client.block.stat(CID.parse(HELLO_WORLD_CID))).rejects.toMatchObject({ name: 'HTTPError', response: { status: 500 } }) // Kubo's answer offline, too
  })

  it('answers a missing argument with 400 and a missing block with 500', async () => {
    expect((await post('cat')).status).toBe(400)
    const { status, body } = await post(`cat?arg=${HELLO_WORLD_CID}`)
    expect(status).toBe(500)
    expect(body).toMatchObject({ Code: 0, Type: 'error' })
  })

  it('takes POST only (405) and refuses cross-origin browser requests (403)', async () => {
    const get = await fetch(`${server.url}/api/v0/version`)
    expect(get.status).toBe(405)
    expect(await get.json()).toMatchObject({ Code: 0, Type: 'error' })
    const evil = await post('version', { headers: { Origin: 'https://evil.example' } })
    expect(evil.status).toBe(403)
    expect(evil.body).toMatchObject({ Message: expect.stringContaining('evil.example'), Code: 0, Type: 'error' })
    const own = await post('version', { headers: { Origin: server.url } })
    expect(own.status).toBe(200)
    expect((await post('no/such/command')).status).toBe(404)
  })

  it('reports identity, version, repo figures and the kit status', async () => {
    const id = await client.id()
    expect(id.id.toString()).toBe(kit.peerId.toString())
    expect(id.agentVersion).toMatch(/^ipfs-kit\//)
    expect((await client.version()).version).toMatch(/^\d+\.\d+\.\d+/)
    await client.add('hello world')
    const stat = await client.repo.stat()
    expect(stat.numObjects).toBe(1n)
    expect(stat.repoSize).toBe(11n)
    expect(stat.repoPath).toBe(kit.dataDir)
    const { status, body } = await post('ipfs-kit/status')
    expect(status).toBe(200)
    expect(body).toMatchObject({ peerId: kit.peerId.toString(), repo: { blocks: 1, bytes: 11, pins: 1 } })
    expect(await client.swarm.peers()).toEqual([])
  })

  it('answers routing/findprovs offline with a Kubo-shaped 500', async () => {
    const { status, body } = await post(`routing/findprovs?arg=${HELLO_WORLD_CID}`)
    expect(status).toBe(500)
    expect(body).toEqual({ Message: expect.stringContaining('offline'), Code: 0, Type: 'error' })
  })

  it('answers a body that is not multipart, or is cut short, with 400', async () => {
    const notMultipart = await post('add', { body: 'just text', headers: { 'Content-Type': 'text/plain' } })
    expect(notMultipart.status).toBe(400)
    expect(notMultipart.body).toMatchObject({ Message: expect.stringContaining('multipart'), Code: 0, Type: 'error' })
    const truncated = await post('block/put', {
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\nabc',
      headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' }
    })
    expect(truncated.status).toBe(400)
    expect(truncated.body).toMatchObject({ Code: 0, Type: 'error' })
    expect((await kit.storage.status()).repo.blocks).toBe(0)
  })

  it('closes a connection whose upload stalls for longer than the idle timeout', async () => {
    const impatient = createRpcServer(kit, { port: 0, idleTimeoutMs: 300 })
    await impatient.start()
    try {
      const { port } = new URL(impatient.url)
      const socket = net.connect(Number(port), '127.0.0.1')
      socket.write('POST /api/v0/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n--xyz\r\n')
      const started = Date.now()
      await new Promise<void>(resolve => socket.once('close', () => resolve()))
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
      expect(Date.now() - started).toBeLessThan(5_000)
    } finally {
      await impatient.stop()
    }
  })

  it('answers ipfs-kit/models/providers for a bad name with 400, and offline with 500', async () => {
    const bad = await post('ipfs-kit/models/providers?arg=../etc')
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ Code: 0, Type: 'error' })
    const offline = await post('ipfs-kit/models/providers?arg=acme/tiny')
    expect(offline.status).toBe(500)
    expect(offline.body).toEqual({ Message: expect.stringContaining('offline'), Code: 0, Type: 'error' })
  })

  it('answers 429 past the concurrent request limit, and serves again once a request ends', async () => {
    const narrow = createRpcServer(kit, { port: 0, maxConcurrentRequests: 1 })
    await narrow.start()
    try {
      const { port } = new URL(narrow.url)
      // an upload that stays open holds the one slot
      const socket = net.connect(Number(port), '127.0.0.1')
      socket.write('POST /api/v0/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n--xyz\r\n')
      let busy: Response | undefined
      for (let i = 0; i < 50 && busy?.status !== 429; i++) {
        busy = await fetch(`${narrow.url}/api/v0/version`, { method: 'POST' })
        if (busy.status !== 429) await new Promise(resolve => setTimeout(resolve, 20))
      }
      expect(busy?.status).toBe(429)
      expect(await busy?.json()).toMatchObject({ Message: expect.stringContaining('too many requests'), Code: 0, Type: 'error' })
      socket.destroy()
      let again: Response | undefined
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        again = await fetch(`${narrow.url}/api/v0/version`, { method: 'POST' })
        if (again.status !== 200) await new Promise(resolve => setTimeout(resolve, 20))
      }
      expect(again?.status).toBe(200)
    } finally {
      await narrow.stop()
    }
  })

  it('refuses to bind a non-loopback address', async () => {
    const open = createRpcServer(kit, { host: '0.0.0.0', port: 0 })
    await expect(open.start()).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('no authentication') })
  })
})

describe('Kubo RPC API between online nodes', () => {
  afterEach(async () => { await sandbox.cleanup() })

  it('lists connected peers and finds the provider of a CID', async () => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false })
    const cid = await a.storage.store('provided by a', { pin: true })
    await b.dial(a.addresses()[0] as string)
    const server = createRpcServer(b, { port: 0 })
    await server.start()
    try {
      const client = create({ url: server.url })
      const peers = await client.swarm.peers()
      expect(peers.map(p => p.peer.toString())).toContain(a.peerId.toString())
      expect(peers.find(p => p.peer.toString() === a.peerId.toString())?.addr.toString()).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+$/)
      // a announced before b was its peer: announce again now that the DHT has someone to tell
      await a.libp2p?.contentRouting.provide(CID.parse(cid), { signal: AbortSignal.timeout(10_000) })
      const events = await all(client.routing.findProvs(CID.parse(cid), { numProviders: 1, signal: AbortSignal.timeout(20_000) }))
      const providers = events.flatMap(e => e.name === 'PROVIDER' ? e.providers.map(p => p.id.toString()) : [])
      expect(providers).toEqual([a.peerId.toString()])

      const dir = await sandbox.dir()
      await writeFile(path.join(dir, 'config.json'), '{"layers": 2}')
      const published = await a.models.publish(dir, { name: 'acme/tiny', revision: 'v1' })
      const res = await fetch(`${server.url}/api/v0/ipfs-kit/models/providers?arg=acme/tiny&revision=v1&timeout-ms=3000`, { method: 'POST' })
      expect(res.status).toBe(200)
      const lines = (await res.text()).trim().split('\n').map(line => JSON.parse(line))
      expect(lines).toContainEqual(expect.objectContaining({ ID: a.peerId.toString(), Root: published.root, Revision: 'v1' }))
    } finally {
      await server.stop()
    }
  })
})
