/**
 * `kit.cache` on one real node (offline, temp dir): values as content, TTLs,
 * LRU bounds, the memory tier, persistence across a restart, and the holds
 * that keep an entry's blocks from gc exactly while it lives.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { cacheKey, canonicalJson } from '../../src/cache/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { KitConfigInput } from '../../src/index.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const text = (bytes: Uint8Array | undefined): string | undefined => bytes == null ? undefined : new TextDecoder().decode(bytes)

describe('kit.cache', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })
  const kitWith = async (cache: NonNullable<KitConfigInput['ipfs_kit']>['cache'] = {}, dataDir?: string) => await sandbox.kit({ dataDir, config: { ipfs_kit: { cache } } })

  it('stores a value as content: the CID store() gives, a hit, stats counted', async () => {
    const kit = await kitWith()
    const cid = await kit.cache.put('k1', 'hello world')
    expect(cid).toBe(await kit.storage.store('hello world'))
    expect(text(await kit.cache.get('k1'))).toBe('hello world')
    expect(await kit.cache.get('absent')).toBeUndefined()
    expect(await kit.cache.has('k1')).toBe(true)
    expect(kit.cache.stats()).toEqual({ entries: 1, bytes: 11, hits: 1, misses: 1, remoteHits: 0, evictions: 0, expirations: 0 })
    expect(await kit.cache.list()).toEqual([{ key: 'k1', cid, size: 11, expires: expect.any(Number) }])
    const metrics = await kit.metrics()
    expect(metrics.storageOperations).toMatchObject({ cacheHits: 1, cacheMisses: 1 })
    expect(await kit.telemetry.prometheus()).toContain('ipfs_kit_cache_hits_total 1')
  })

  it('keeps cache values out of listFiles and pin ls', async () => {
    const kit = await kitWith()
    await kit.cache.put('k', 'value')
    expect(await kit.storage.listFiles()).toEqual([])
    const pins = []
    for await (const p of kit.storage.pins()) pins.push(p)
    expect(pins).toEqual([])
  })

  it('never serves an expired entry, and the sweep removes it', async () => {
    const kit = await kitWith({ sweep_interval: '100ms' })
    await kit.cache.put('short', 'x', { ttl: 50 })
    await kit.cache.put('shorter', 'y', { ttl: 50 })
    expect(text(await kit.cache.get('short'))).toBe('x')
    await sleep(80)
    expect(await kit.cache.get('short')).toBeUndefined() // checked on read
    await sleep(150)
    expect(await kit.cache.list()).toEqual([]) // swept
    expect(kit.cache.stats()).toMatchObject({ entries: 0, expirations: 2 })
  })

  it('evicts the least recently used entry past max_entries', async () => {
    const kit = await kitWith({ max_entries: 2 })
    await kit.cache.put('a', 'A')
    await kit.cache.put('b', 'B')
    await kit.cache.get('a') // b is now the oldest
    await kit.cache.put('c', 'C')
    expect((await kit.cache.list()).map(e => e.key).sort()).toEqual(['a', 'c'])
    expect(kit.cache.stats().evictions).toBe(1)
  })

  it('evicts past max_bytes', async () => {
    const kit = await kitWith({ max_bytes: 250 })
    for (const k of ['a', 'b', 'c']) await kit.cache.put(k, new Uint8Array(100).fill(k.charCodeAt(0)))
    expect((await kit.cache.list()).map(e => e.key)).toEqual(['b', 'c'])
    expect(kit.cache.stats()).toMatchObject({ bytes: 200, evictions: 1 })
  })

  it('refuses bad input with errors naming the limit, storing nothing', async () => {
    const kit = await kitWith({ max_value_size: 10 })
    await expect(kit.cache.put('', 'x')).rejects.toMatchObject({ name: 'InvalidCacheKeyError' })
    await expect(kit.cache.put('k'.repeat(1025), 'x')).rejects.toThrow(/1024/)
    await expect(kit.cache.put('k', 'x'.repeat(11))).rejects.toMatchObject({ name: 'CacheValueTooLargeError', message: expect.stringMatching(/max_value_size/) })
    await expect(kit.cache.put('k', 'x', { ttl: -1 })).rejects.toThrow(/ttl/)
    expect(kit.cache.stats().entries).toBe(0)
  })

  it('keeps entries, their order and their holds across a restart', async () => {
    const dataDir = await sandbox.dir()
    let kit = await kitWith({}, dataDir)
    const cid = await kit.cache.put('persist', 'kept', { ttl: 60_000 })
    await kit.stop()
    kit = await kitWith({}, dataDir)
    expect(text(await kit.cache.get('persist'))).toBe('kept')
    await kit.storage.gc()
    expect(await kit.storage.exists(cid)).toBe(true)
  })

  it('holds an entry\'s blocks from gc while it lives and lets them go after it expires', async () => {
    const kit = await kitWith({ sweep_interval: '1h', memory_bytes: 0 })
    const big = new Uint8Array(1_200_000).map((_, i) => i % 251) // two leaves and a root
    const cid = await kit.cache.put('big', big, { ttl: 100 })
    await kit.storage.gc()
    expect(await kit.storage.exists(cid)).toBe(true)
    expect(Buffer.compare(await kit.cache.get('big') ?? new Uint8Array(), big)).toBe(0) // read back from disk (memory tier off)
    await sleep(150)
    await kit.cache.sweep()
    const { removedBlocks } = await kit.storage.gc()
    expect(removedBlocks).toBe(3)
    expect(await kit.storage.exists(cid)).toBe(false)
  })

  it('makes keys from canonical JSON, with the model\'s manifest root when the model is held', async () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}')
    const k1 = cacheKey({ model: 'acme/bert', input: 'hi', params: { t: 0, top_p: 1 } })
    expect(k1).toBe(cacheKey({ model: 'acme/bert', input: 'hi', params: { top_p: 1, t: 0 } }))
    expect(k1).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(k1).not.toBe(cacheKey({ model: 'acme/bert', input: 'hi', params: { t: 0.1, top_p: 1 } }))
    const kit = await kitWith()
    expect(await kit.cache.cacheKey({ model: 'acme/bert', input: 'hi', params: { t: 0, top_p: 1 } })).toBe(k1) // not held: by name
    const dir = await sandbox.dir()
    const { writeFile } = await import('node:fs/promises')
    await writeFile(dir + '/w.bin', 'weights')
    const { root } = await kit.models.publish(dir, { name: 'acme/bert' })
    const k2 = await kit.cache.cacheKey({ model: 'acme/bert', input: 'hi', params: { t: 0, top_p: 1 } })
    expect(k2).toBe(cacheKey({ model: { name: 'acme/bert', root }, input: 'hi', params: { t: 0, top_p: 1 } }))
    expect(k2).not.toBe(k1)
  })

  it('cachedInference computes once', async () => {
    const kit = await kitWith()
    let runs = 0
    const compute = async (): Promise<{ label: string }> => { runs++; return { label: 'positive' } }
    const request = { model: 'acme/sentiment', input: 'great', params: { temperature: 0 } }
    expect(await kit.cache.cachedInference(request, compute)).toEqual({ label: 'positive' })
    expect(await kit.cache.cachedInference(request, compute)).toEqual({ label: 'positive' })
    expect(runs).toBe(1)
  })

  it('resolves filenames: retrieve, exists and stream accept a stored filename', async () => {
    const kit = await kitWith()
    await kit.storage.store('v1', { filename: 'model/config.json' })
    const cid = await kit.storage.store('v2', { filename: 'model/config.json' })
    expect(await kit.storage.resolve('model/config.json')).toBe(cid)
    expect(text(await kit.storage.retrieve('model/config.json'))).toBe('v2')
    expect(await kit.storage.exists('model/config.json')).toBe(true)
    expect(await kit.storage.exists('unknown-key')).toBe(false)
    expect(await kit.storage.retrieve('unknown-key')).toBeUndefined()
    const chunks = []
    for await (const c of kit.storage.stream('model/config.json')) chunks.push(c)
    expect(text(Buffer.concat(chunks))).toBe('v2')
    expect(CID.parse(cid).version).toBe(1)
  })

  it('raises KitStoppedError after stop', async () => {
    const kit = await kitWith()
    await kit.stop()
    await expect(kit.cache.get('k')).rejects.toMatchObject({ name: 'KitStoppedError' })
  })
})
