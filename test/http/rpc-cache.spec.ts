/**
 * `ipfs-kit/cache/{put,get,stats,rm}` over HTTP against an in-process kit and
 * RPC server: what the Python client and any other HTTP caller rely on.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { RpcServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()
const KUBO_ERROR = { Message: expect.any(String), Code: 0, Type: 'error' }

describe('RPC ipfs-kit/cache/*', () => {
  let kit: Kit
  let server: RpcServer

  async function start (maxValueSize?: number): Promise<void> {
    kit = await sandbox.kit(maxValueSize == null ? {} : { config: { ipfs_kit: { cache: { max_value_size: maxValueSize } } } })
    server = createRpcServer(kit, { host: '127.0.0.1', port: 0 })
    await server.start()
  }
  afterEach(async () => {
    await server?.stop()
    await sandbox.cleanup()
  })

  async function call (command: string, query: Record<string, string>, body?: FormData): Promise<{ status: number, type: string | null, bytes: Uint8Array, json: () => any }> {
    const res = await fetch(`${server.url}/api/v0/${command}?${new URLSearchParams(query).toString()}`, { method: 'POST', body })
    const bytes = new Uint8Array(await res.arrayBuffer())
    return { status: res.status, type: res.headers.get('content-type'), bytes, json: () => JSON.parse(new TextDecoder().decode(bytes)) }
  }
  const form = (value: Uint8Array | string): FormData => {
    const data = new FormData()
    data.append('file', new Blob([value]), 'value')
    return data
  }

  it('puts a value under a key, gets the same bytes back, counts the hit in stats and removes it', async () => {
    await start()
    const value = new Uint8Array(3000).map((_, i) => (i * 7) % 256)
    const put = await call('ipfs-kit/cache/put', { arg: 'sha256:abc', ttl: '10m' }, form(value))
    expect(put.status).toBe(200)
    expect(put.json()).toEqual({ Key: 'sha256:abc', Cid: expect.stringMatching(/^baf/) })
    expect(put.json().Cid).toBe((await kit.cache.list())[0]?.cid)
    const expires = (await kit.cache.list())[0]?.expires as number
    expect(expires - Date.now()).toBeGreaterThan(9 * 60_000)
    expect(expires - Date.now()).toBeLessThanOrEqual(10 * 60_000)

    const got = await call('ipfs-kit/cache/get', { arg: 'sha256:abc' })
    expect(got.status).toBe(200)
    expect(got.type).toBe('application/octet-stream')
    expect(Buffer.from(got.bytes).equals(Buffer.from(value))).toBe(true)

    const stats = await call('ipfs-kit/cache/stats', {})
    expect(stats.json()).toEqual(kit.cache.stats())
    expect(stats.json()).toMatchObject({ entries: 1, bytes: 3000, hits: 1, misses: 0 })

    expect((await call('ipfs-kit/cache/rm', { arg: 'sha256:abc' })).json()).toEqual({ Key: 'sha256:abc', Removed: true })
    expect((await call('ipfs-kit/cache/rm', { arg: 'sha256:abc' })).json()).toEqual({ Key: 'sha256:abc', Removed: false })
    expect(await kit.cache.has('sha256:abc')).toBe(false)
  })

  it('answers a miss with 404 in Kubo\'s error shape, and counts it', async () => {
    await start()
    const miss = await call('ipfs-kit/cache/get', { arg: 'never-stored' })
    expect(miss.status).toBe(404)
    expect(miss.json()).toEqual({ ...KUBO_ERROR, Message: 'cache miss: never-stored' })
    expect(kit.cache.stats().misses).toBe(1)
  })

  it('refuses an empty or over-long key, a bad ttl and a missing body with 400, storing nothing', async () => {
    await start()
    const empty = await call('ipfs-kit/cache/put', { arg: '' }, form('v'))
    expect(empty.status).toBe(400)
    expect(empty.json()).toEqual(KUBO_ERROR)
    const long = await call('ipfs-kit/cache/put', { arg: 'k'.repeat(1025) }, form('v'))
    expect(long.status).toBe(400)
    expect(long.json()).toEqual({ ...KUBO_ERROR, Message: expect.stringContaining('CACHE_MAX_KEY_BYTES') })
    const longGet = await call('ipfs-kit/cache/get', { arg: 'k'.repeat(1025) })
    expect(longGet.status).toBe(400)
    const ttl = await call('ipfs-kit/cache/put', { arg: 'k', ttl: 'soon' }, form('v'))
    expect(ttl.status).toBe(400)
    expect(ttl.json().Message).toContain('ttl must be a duration')
    const noBody = await call('ipfs-kit/cache/put', { arg: 'k' })
    expect(noBody.status).toBe(400)
    expect(await kit.cache.list()).toEqual([])
  })

  it('turns a { model, input, params } body into the key kit.cache.cacheKey() gives, and refuses a body without a model', async () => {
    await start()
    const request = { model: 'acme/bert', input: 'hello', params: { temperature: 0, top_k: 1 } }
    const res = await fetch(`${server.url}/api/v0/ipfs-kit/cache/key`, { method: 'POST', body: JSON.stringify({ params: request.params, input: 'hello', model: 'acme/bert' }) })
    expect(res.status).toBe(200)
    const { Key } = await res.json() as { Key: string }
    expect(Key).toBe(await kit.cache.cacheKey(request))
    expect(Key).not.toBe(await kit.cache.cacheKey({ ...request, input: 'hello!' }))
    const bad = await fetch(`${server.url}/api/v0/ipfs-kit/cache/key`, { method: 'POST', body: JSON.stringify({ input: 'x' }) })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ ...KUBO_ERROR, Message: expect.stringContaining('"model"') })
    const notJson = await fetch(`${server.url}/api/v0/ipfs-kit/cache/key`, { method: 'POST', body: '{' })
    expect(notJson.status).toBe(400)
  })

  it('refuses a value over cache.max_value_size with 400 naming the limit, storing nothing', async () => {
    await start(1024)
    const big = await call('ipfs-kit/cache/put', { arg: 'k' }, form(new Uint8Array(1025)))
    expect(big.status).toBe(400)
    expect(big.json()).toEqual({ ...KUBO_ERROR, Message: expect.stringContaining('max_value_size') })
    const fits = await call('ipfs-kit/cache/put', { arg: 'k' }, form(new Uint8Array(1024)))
    expect(fits.status).toBe(200)
    expect((await kit.cache.list()).map(e => e.size)).toEqual([1024])
  })
})
