/**
 * The operator side of the RPC server: /metrics, /status and / (GET only),
 * Bearer token authentication, the body size limit (413), the first-byte
 * deadline of network-bound calls (504), and hostile requests.
 */
import http from 'node:http'
import { create } from 'kubo-rpc-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { MIB } from '../fixtures/bytes.ts'
import { HELLO_WORLD_CID } from '../fixtures/reference-cid.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { RpcServer, RpcServerInit } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()
const servers: RpcServer[] = []
const TOKEN = 'a-long-enough-test-token-0123456789'
/** A CID nobody in these tests stores (`hello world!`). */
const ABSENT = 'bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve'
const KUBO_ERROR = { Message: expect.any(String), Code: 0, Type: 'error' }

async function serve (kit: Kit, init: RpcServerInit = {}): Promise<RpcServer> {
  const server = createRpcServer(kit, { host: '127.0.0.1', port: 0, ...init })
  servers.push(server)
  await server.start()
  return server
}

async function request (url: string, init: RequestInit = {}): Promise<{ status: number, body: any, headers: Headers }> {
  const res = await fetch(url, { method: 'POST', ...init })
  const text = await res.text()
  let body: any = text
  try { body = JSON.parse(text) } catch { /* not JSON: keep the text */ }
  return { status: res.status, body, headers: res.headers }
}

/** A raw request, for headers fetch will not let us set (Host). */
async function raw (url: string, method: string, headers: Record<string, string>): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, res => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
    req.end()
  })
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map(async server => { await server.stop() }))
  await sandbox.cleanup()
})

describe('/status, /metrics and the status page', () => {
  it('serves kit.status() as JSON and Prometheus text that follows the node\'s operations', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit)
    const before = await request(`${server.url}/status`, { method: 'GET' })
    expect(before.status).toBe(200)
    expect(before.body).toMatchObject({ peerId: kit.peerId.toString(), offline: true, repo: { blocks: 0, pins: 0 }, models: { held: [], pulling: [] } })

    await create({ url: server.url }).add('hello world')
    const after = await request(`${server.url}/status`, { method: 'GET' })
    expect(after.body.repo).toMatchObject({ blocks: 1, bytes: 11, pins: 1 })
    expect(after.body.counts.operations.store).toBe(1)

    const metrics = await fetch(`${server.url}/metrics`)
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await metrics.text()
    expect(text).toContain('ipfs_kit_operations_total{operation="store",result="ok"} 1')
    expect(text).toContain('ipfs_kit_pins 1')
    expect(text).toContain('ipfs_kit_operation_bytes_total{operation="store"} 11')
  })

  it('serves the status page with a CSP that allows its own script only, and HEAD without a body', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit)
    const page = await fetch(`${server.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/)
    expect(await page.text()).toContain('id="peer-id"')
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('takes GET only on the read-only paths (405), and keeps ipfs-kit/status under /api/v0', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit)
    for (const path of ['/', '/status', '/metrics']) {
      const { status, body, headers } = await request(`${server.url}${path}`, { method: 'POST' })
      expect(status, path).toBe(405)
      expect(headers.get('allow')).toBe('GET, HEAD')
      expect(body).toEqual(KUBO_ERROR)
    }
    expect((await request(`${server.url}/api/v0/ipfs-kit/status`)).body).toMatchObject({ peerId: kit.peerId.toString() })
    expect((await request(`${server.url}/status/x`, { method: 'GET' })).status).toBe(404)
  })
})

describe('API token', () => {
  it('refuses to serve a non-loopback address without a token, and serves it with one', async () => {
    const kit = await sandbox.kit()
    const open = createRpcServer(kit, { host: '0.0.0.0', port: 0 })
    await expect(open.start()).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('auth_token') })
    const guarded = await serve(kit, { host: '0.0.0.0', authToken: TOKEN })
    const port = new URL(guarded.url).port
    const res = await request(`http://127.0.0.1:${port}/api/v0/id`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    expect(res.body.ID).toBe(kit.peerId.toString())
  })

  it('answers 401 in Kubo\'s shape without the token or with a wrong one, on every path', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit, { authToken: TOKEN })
    for (const [path, method] of [['/api/v0/version', 'POST'], ['/api/v0/add', 'POST'], ['/metrics', 'GET'], ['/status', 'GET'], ['/', 'GET'], ['/nowhere', 'GET']]) {
      const none = await request(`${server.url}${path}`, { method })
      expect(none.status, path).toBe(401)
      expect(none.body, path).toEqual(KUBO_ERROR)
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
      const wrong = await request(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}x` } })
      expect(wrong.status, path).toBe(401)
      expect(wrong.body.Message).toBe('wrong API token')
    }
    const basic = await request(`${server.url}/api/v0/version`, { headers: { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } })
    expect(basic.status).toBe(401)
  })

  it('serves requests that carry the token, kubo-rpc-client included', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit, { authToken: TOKEN })
    const client = create({ url: server.url, headers: { Authorization: `Bearer ${TOKEN}` } })
    const { cid } = await client.add('hello world')
    expect(cid.toString()).toBe(HELLO_WORLD_CID)
    expect((await request(`${server.url}/status`, { method: 'GET', headers: { Authorization: `Bearer ${TOKEN}` } })).body.repo.pins).toBe(1)
    await expect(create({ url: server.url }).version()).rejects.toThrow(/Bearer/)
  })

  it('refuses a Host that is not a loopback name on a loopback bind (DNS rebinding)', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit)
    expect(await raw(`${server.url}/status`, 'GET', { Host: 'rebound.example:5001' })).toBe(403)
    expect(await raw(`${server.url}/status`, 'GET', { Host: `localhost:${new URL(server.url).port}` })).toBe(200)
  })
})

describe('limits', () => {
  it('refuses a body over the limit on calls that are not uploads (413), and lets add take more', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit, { maxBodyBytes: 64 * 1024 })
    const big = new Uint8Array(64 * 1024 + 1)
    const refused = await request(`${server.url}/api/v0/block/stat?arg=${HELLO_WORLD_CID}`, { body: big })
    expect(refused.status).toBe(413)
    expect(refused.body).toEqual({ ...KUBO_ERROR, Message: expect.stringContaining('limit') })
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(MIB)]), 'zeros.bin')
    const added = await request(`${server.url}/api/v0/add`, { body: form })
    expect(added.status).toBe(200)
    expect(added.body.Name).toBe('zeros.bin')
  })

  it('answers 504 in Kubo\'s shape when a network-bound call has nothing to send by its deadline', async () => {
    const kit = await sandbox.kit({ offline: false })
    const server = await serve(kit, { networkTimeoutMs: 400 })
    const started = Date.now()
    const cut = await request(`${server.url}/api/v0/cat?arg=${ABSENT}`)
    expect(cut.status).toBe(504)
    expect(cut.body).toEqual({ ...KUBO_ERROR, Message: expect.stringContaining('timed out after 400 ms') })
    expect(Date.now() - started).toBeLessThan(5_000)
    // Kubo's timeout option lowers it per call, on any command
    const option = await request(`${server.url}/api/v0/block/stat?arg=${ABSENT}&timeout=150ms`)
    expect(option.status).toBe(504)
    expect(option.body.Message).toContain('150 ms')
    expect((await request(`${server.url}/api/v0/block/stat?arg=${ABSENT}&timeout=soon`)).status).toBe(400)
    // local content is served well within it
    await kit.storage.store('hello world')
    expect((await request(`${server.url}/api/v0/cat?arg=${HELLO_WORLD_CID}`)).body).toBe('hello world')
  })
})

describe('hostile requests', () => {
  it('answers malformed multipart, huge and invalid arguments, wrong methods and foreign origins with 4xx in Kubo\'s shape', async () => {
    const kit = await sandbox.kit()
    const server = await serve(kit)
    const api = `${server.url}/api/v0`
    const cases: Array<[string, () => Promise<{ status: number, body: any }>, number]> = [
      ['multipart without boundary', async () => await request(`${api}/add`, { headers: { 'Content-Type': 'multipart/form-data' }, body: 'x' }), 400],
      ['multipart cut short', async () => await request(`${api}/add`, { headers: { 'Content-Type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc' }), 400],
      ['not multipart at all', async () => await request(`${api}/add`, { headers: { 'Content-Type': 'application/json' }, body: '{}' }), 400],
      ['huge argument', async () => await request(`${api}/cat?arg=${'b'.repeat(8_000)}`), 400],
      ['binary argument', async () => await request(`${api}/block/stat?arg=%00%FF%2e%2e%2F`), 400],
      ['negative offset', async () => await request(`${api}/cat?arg=${HELLO_WORLD_CID}&offset=-1`), 400],
      ['GET on a state-changing call', async () => await request(`${api}/pin/add?arg=${HELLO_WORLD_CID}`, { method: 'GET' }), 405],
      ['PUT on add', async () => await request(`${api}/add`, { method: 'PUT', body: 'x' }), 405],
      ['cross-origin POST', async () => await request(`${api}/pin/rm?arg=${HELLO_WORLD_CID}`, { headers: { Origin: 'https://evil.example' } }), 403],
      ['cross-origin GET of the status', async () => await request(`${server.url}/status`, { method: 'GET', headers: { Origin: 'http://evil.example' } }), 403]
    ]
    for (const [name, send, expected] of cases) {
      const { status, body } = await send()
      expect(status, name).toBe(expected)
      expect(body, name).toEqual(KUBO_ERROR)
    }
    // a request line past Node's header limit is cut by Node itself
    expect((await request(`${api}/cat?arg=${'b'.repeat(64_000)}`)).status).toBe(431)
    // and the server still serves
    expect((await request(`${api}/version`)).status).toBe(200)
    expect((await kit.storage.status()).repo.blocks).toBe(0)
  })
})
