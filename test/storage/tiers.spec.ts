/**
 * Hot, warm and cold tiers against a real S3-compatible server (s3rver over
 * loopback HTTP): store to local + s3, tier to cold (disk freed), read back,
 * gc keeps pinned cold content and deletes unpinned; a tampered pack is
 * refused; S3 down fails fast and clearly while warm content is served; a
 * fresh data directory on the same bucket reads everything; auto-tier.
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterEach, describe, expect, it } from 'vitest'
import { collect } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { S3Server } from '../fixtures/s3-server.ts'
import type { Kit } from '../../src/index.ts'

const MiB = 1024 * 1024

/** sha256 of bytes (undefined: 'absent'): byte-for-byte comparison without vitest diffing megabytes. */
function digest (bytes: Uint8Array | undefined): string {
  return bytes == null ? 'absent' : createHash('sha256').update(bytes).digest('hex')
}
const sandbox = new Sandbox()
const servers: S3Server[] = []
afterEach(async () => {
  await sandbox.cleanup()
  for (const server of servers.splice(0)) await server.stop()
})

async function s3 (): Promise<S3Server> {
  const server = await new S3Server(await sandbox.dir('s3rver-')).start()
  servers.push(server)
  return server
}

/** Bytes of block files on disk under the kit's blocks directory. */
async function diskBytes (kit: Kit): Promise<number> {
  return (await kit.storage.status()).repo.bytes
}

async function objectKeys (server: S3Server, prefix: string): Promise<string[]> {
  const out = await server.client().send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }))
  return (out.Contents ?? []).map(o => o.Key as string).sort()
}

describe('cold tier (S3 packs)', () => {
  it('stores to local + s3, tiers to cold freeing the disk, reads back byte for byte, and gc keeps pinned cold content only', async () => {
    const server = await s3()
    const kit = await sandbox.kit({ config: server.kitConfig() })
    const pinned = randomBytes(3 * MiB + 1234)
    const unpinned = randomBytes(MiB + 77)
    const events: string[] = []
    const a = await kit.storage.store(pinned, { pin: true, backends: ['local', 's3'], onProgress: e => { events.push(e.type) } })
    const b = await kit.storage.store(unpinned, { backends: ['local'] })
    expect(events).not.toContain('storage:backend-failed')
    expect(await kit.storage.tierSizes(a)).toMatchObject({ warm: expect.any(Number), cold: expect.any(Number) })
    const stored = await kit.storage.tierSizes(a)
    expect(stored.cold).toBe(stored.warm) // local + s3: both hold every block
    expect(stored.warm).toBeGreaterThan(pinned.byteLength)

    const before = await diskBytes(kit)
    const cold = await kit.storage.tier(a, 'cold')
    expect(cold).toEqual({ cid: a, hot: 0, warm: 0, cold: stored.cold })
    expect(before - await diskBytes(kit)).toBe(stored.warm)
    await kit.storage.tier(b, 'cold')
    expect(await diskBytes(kit)).toBe(0)
    expect(await objectKeys(server, 'kit/packs/')).toHaveLength((await kit.storage.status()).tiers.cold?.packs ?? -1)

    expect(digest(await kit.storage.retrieve(a))).toBe(digest(pinned))
    expect(digest(await collect(kit.storage.stream(b)))).toBe(digest(unpinned))
    expect(await diskBytes(kit)).toBe(0) // a cold read does not write to disk (promotion is auto-tier's)

    const packsBefore = (await objectKeys(server, 'kit/packs/')).length
    const gc = await kit.storage.gc()
    expect(gc.removedBlocks).toBe(3) // the unpinned file's root and two leaves, from the bucket
    expect((await objectKeys(server, 'kit/packs/')).length).toBeLessThan(packsBefore)
    expect(await kit.storage.retrieve(b)).toBeUndefined()
    expect(digest(await kit.storage.retrieve(a))).toBe(digest(pinned))
    expect((await kit.storage.verify({ repair: true })).cold).toBe(5) // 4 leaves + root, read from the bucket and hashed
  })

  it('answers has from the local index and reads a cold file with one ranged GET per run', async () => {
    const server = await s3()
    const kit = await sandbox.kit({ config: server.kitConfig({ pack_size: '8MiB' }, { performance: { memory_cache_size: 0 } }) })
    const data = randomBytes(5 * MiB)
    // s3 with another backend: imported to disk, uploaded in DAG order (root first), the disk freed
    // (s3 alone imports straight into the packs, root last: the next test)
    const cid = await kit.storage.store(data, { backends: ['ipfs', 's3'] })
    expect(await diskBytes(kit)).toBe(0)
    const requests = async (): Promise<{ get: number, put: number, list: number, delete: number }> => (await kit.storage.status()).tiers.cold?.requests ?? { get: -1, put: -1, list: -1, delete: -1 }
    const start = await requests()
    expect(await kit.storage.exists(cid)).toBe(true)
    expect(await requests()).toEqual(start)
    expect(digest(await kit.storage.retrieve(cid))).toBe(digest(data))
    // the root, read first for the file's size, fetches the run of the whole file (its blocks follow it in the pack)
    expect((await requests()).get - start.get).toBeLessThanOrEqual(2)
  })

  it('fetches the next pack of an upload ahead of a sequential reader (the pack records chain by prev)', async () => {
    const server = await s3()
    // 3 MiB packs: the root and two 1 MiB leaves each, so a 9 MiB file is four packs chained by `prev`
    const kit = await sandbox.kit({ config: server.kitConfig({ pack_size: '3MiB' }, { performance: { memory_cache_size: 0 } }) })
    const data = randomBytes(9 * MiB)
    const cid = await kit.storage.store(data, { backends: ['s3'] })
    const cold = (await kit.storage.status()).tiers.cold
    expect(cold?.packs).toBe(5)
    const gets = async (): Promise<number> => (await kit.storage.status()).tiers.cold?.requests.get ?? -1
    const start = await gets()
    // the root's GET (stored straight to cold, the root is the import's last block: in the last
    // pack), then the first MiB's in the first pack and, ahead of the reader, the next pack's
    const head = Buffer.from(await collect(kit.storage.stream(cid, { length: MiB })))
    expect(head.equals(data.subarray(0, MiB))).toBe(true)
    await expect.poll(gets).toBe(start + 3)
    expect(digest(await kit.storage.retrieve(cid))).toBe(digest(data))
  })

  it('refuses a tampered pack: the block is quarantined, never served', async () => {
    const server = await s3()
    const kit = await sandbox.kit({ config: server.kitConfig() })
    const data = randomBytes(200_000)
    const cid = await kit.storage.store(data, { pin: true, backends: ['s3'] })
    const [pack] = await objectKeys(server, 'kit/packs/')
    const client = server.client()
    const body = await (await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: pack }))).Body?.transformToByteArray() as Uint8Array
    body[body.byteLength - 10] = (body[body.byteLength - 10] as number) ^ 0xff // a byte of the block's data
    await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: pack, Body: body }))

    await expect(collect(kit.storage.stream(cid))).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(await kit.storage.retrieve(cid)).toBeUndefined()
    const status = await kit.storage.status()
    expect(status.tiers.cold?.quarantined).toBe(1)
    expect(await kit.storage.exists(cid)).toBe(false) // out of the index: peers would be asked next
    await expect(kit.storage.gc()).rejects.toMatchObject({ name: 'DamagedPinsError' })
  })

  it('with S3 down, a cold read fails fast naming the endpoint while warm content is served', async () => {
    const server = await s3()
    const kit = await sandbox.kit({ config: server.kitConfig() })
    const cold = await kit.storage.store(randomBytes(100_000), { backends: ['s3'] })
    const warm = randomBytes(100_000)
    const warmCid = await kit.storage.store(warm)
    await server.stop()

    const started = Date.now()
    const err = await collect(kit.storage.stream(cold)).then(() => undefined, (e: any) => e)
    expect(err?.name).toBe('S3UnavailableError')
    expect(err.message).toContain(server.endpoint)
    expect(err.message.split('\n')).toHaveLength(1)
    expect(Date.now() - started).toBeLessThan(10_000) // COLD_REQUEST_DEADLINE_MS bounds it; refused connections fail at once
    expect(digest(await kit.storage.retrieve(warmCid))).toBe(digest(warm))
    expect((await kit.storage.status()).backendHealth.s3).toMatchObject({ enabled: true, healthy: false, error: expect.stringContaining(server.endpoint) })

    const events: any[] = []
    const stored = await kit.storage.store(randomBytes(5000), { backends: ['local', 's3'], onProgress: e => { if (e.type === 'storage:backend-failed') events.push(e.detail) } })
    expect(events).toEqual([expect.objectContaining({ backend: 's3', cid: stored })])
    expect(events[0].error.name).toBe('S3UnavailableError')
    expect(await kit.storage.exists(stored)).toBe(true) // the local copy is there
    expect((await kit.storage.status()).backends.s3).toBe(true)
  })

  it('stores straight to cold without touching the disk (same CID as a local store), and fails the store when the upload fails', async () => {
    const server = await s3()
    const kit = await sandbox.kit({ config: server.kitConfig() })
    const data = randomBytes(2 * MiB + 5)
    const blocksDir = path.join(kit.dataDir, 'blocks')
    const cold = await kit.storage.store(data, { backends: ['s3'], pin: true })
    expect((await fs.readdir(blocksDir)).filter(name => !name.startsWith('.tmp-'))).toEqual([]) // no shard directory: no block was written to disk
    expect(digest(await kit.storage.retrieve(cold))).toBe(digest(data))
    expect((await kit.storage.verify()).cold).toBe(4) // 3 leaves + root in the bucket, hashed
    expect(await kit.storage.store(data, { backends: ['local'] })).toBe(cold)

    // a file is read into a few reused buffers, each held until the spool has its block, and each
    // pack is uploaded from reused buffers on its own socket: one PUT per pack and one per index object
    const file = path.join(await sandbox.dir(), 'input.bin')
    const big = randomBytes(9 * MiB + 7)
    await fs.writeFile(file, big)
    const before = (await kit.storage.status()).tiers.cold
    const fromFile = await kit.storage.store({ path: file }, { backends: ['s3'] })
    const after = (await kit.storage.status()).tiers.cold
    expect((after?.requests.put ?? 0) - (before?.requests.put ?? 0)).toBe(2 * ((after?.packs ?? 0) - (before?.packs ?? 0)))
    expect(digest(await kit.storage.retrieve(fromFile))).toBe(digest(big)) // every block read back hashed against its CID
    expect(await kit.storage.store(big, { backends: ['local'] })).toBe(fromFile)

    await server.stop()
    const events: string[] = []
    await fs.writeFile(file, randomBytes(3 * MiB + 1)) // read into reused buffers: a failed upload must not leave the reader waiting for them
    const err = await kit.storage.store({ path: file }, { backends: ['s3'], onProgress: e => { events.push(e.type) } }).then(() => undefined, (e: any) => e)
    expect(err?.name).toBe('S3UnavailableError')
    expect(err.message).toContain(server.endpoint)
    expect(events).not.toContain('storage:store:pinned')
    expect((await kit.storage.status()).backendHealth.s3).toMatchObject({ healthy: false, error: expect.stringContaining('S3UnavailableError') })
    expect((await fs.readdir(blocksDir)).filter(name => name.startsWith('.tmp-pack-'))).toEqual([]) // the spool is gone
    expect((await kit.storage.listFiles()).map(f => f.cid).sort()).toEqual([cold, fromFile].sort())
    // with another backend asked for, the blocks go to disk first and a failed upload fails only s3
    const failed: string[] = []
    const kept = randomBytes(10_000)
    const both = await kit.storage.store(kept, { backends: ['ipfs', 's3'], onProgress: e => { if (e.type === 'storage:backend-failed') failed.push(e.detail.backend) } })
    expect(failed).toContain('s3')
    expect(digest(await kit.storage.retrieve(both))).toBe(digest(kept))
  })

  it('reports bad credentials at start and in status, and a cold read says access was denied, not "not found"', async () => {
    const server = await s3()
    const dataDir = await sandbox.dir()
    const first = await sandbox.kit({ dataDir, config: server.kitConfig() })
    const cid = await first.storage.store(randomBytes(10_000), { backends: ['s3'] })
    await first.stop()
    const warnings: string[] = []
    const onWarning = (w: Error): void => { warnings.push(w.message) }
    process.on('warning', onWarning)
    try {
      const kit = await sandbox.kit({ dataDir, config: server.kitConfig({ access_key_id: 'WRONG', secret_access_key: 'WRONG' }) })
      await new Promise(resolve => setImmediate(resolve))
      expect(warnings.join('\n')).toMatch(/cold tier cannot be used.*refused access.*InvalidAccessKeyId/)
      expect((await kit.storage.status()).backendHealth.s3).toMatchObject({ healthy: false, error: expect.stringContaining('S3AccessDeniedError') })
      await expect(kit.storage.retrieve(cid)).rejects.toMatchObject({ name: 'S3AccessDeniedError' })
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('a fresh data directory pointed at the same bucket rebuilds the index and reads everything', async () => {
    const server = await s3()
    const kit = await sandbox.kit({ config: server.kitConfig() })
    const files = [randomBytes(2 * MiB + 5), randomBytes(300), randomBytes(MiB)]
    const cids: string[] = []
    for (const f of files) cids.push(await kit.storage.store(f, { backends: ['s3'], pin: true }))
    await kit.stop()

    const fresh = await sandbox.kit({ config: server.kitConfig() })
    for (const [i, cid] of cids.entries()) {
      expect(await fresh.storage.exists(cid)).toBe(true)
      expect(digest(await fresh.storage.retrieve(cid))).toBe(digest(files[i]))
    }
  })

  it('auto-tier demotes roots not read for demote_after and promotes a cold root read promote_reads times', async () => {
    const server = await s3()
    const kit = await sandbox.kit({ config: server.kitConfig({}, { storage_policy: { auto_tier: true, demote_after: '50ms', promote_reads: 3 } }) })
    const data = randomBytes(MiB + 10)
    const cid = await kit.storage.store(data)
    expect(await kit.storage.autoTier()).toEqual([])
    await new Promise(resolve => setTimeout(resolve, 80))
    expect(await kit.storage.autoTier()).toEqual([cid])
    expect(await kit.storage.tierSizes(cid)).toMatchObject({ warm: 0 })

    for (let read = 1; read <= 3; read++) {
      expect(digest(await kit.storage.retrieve(cid))).toBe(digest(data))
      const { warm, cold } = await kit.storage.tierSizes(cid)
      expect(warm).toBe(read < 3 ? 0 : cold)
    }
  })

  it('refuses to start with backends.filecoin.enabled and no adapter, and tier --to cold without s3 names the backend', async () => {
    await expect(sandbox.kit({ config: { ipfs_kit: { backends: { filecoin: { enabled: true } } } } })).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('backends.filecoin.enabled') })
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('plain')
    await expect(kit.storage.tier(cid, 'cold')).rejects.toMatchObject({ name: 'BackendDisabledError' })
    const events: any[] = []
    await kit.storage.store('plain', { backends: ['local', 's3'], onProgress: e => { if (e.type === 'storage:backend-failed') events.push(e.detail.backend) } })
    expect(events).toEqual(['s3'])
  })
})

describe('hot tier', () => {
  it('tier --to hot serves reads from memory and /metrics counts the hits', async () => {
    const kit = await sandbox.kit({ config: { ipfs_kit: { performance: { memory_cache_size: '8MiB' } } } })
    const data = randomBytes(2 * MiB)
    const cid = await kit.storage.store(data)
    expect(await kit.storage.tier(cid, 'hot')).toMatchObject({ hot: expect.any(Number) })
    const { hot, warm } = await kit.storage.tierSizes(cid)
    expect(hot).toBe(warm)
    const hits = (await kit.storage.status()).tiers.hot.hits
    expect(digest(await kit.storage.retrieve(cid))).toBe(digest(data))
    expect((await kit.storage.status()).tiers.hot.hits - hits).toBe(3) // root + 2 leaves
    expect(await kit.telemetry.registry.metrics()).toMatch(/ipfs_kit_hot_tier_hits_total [1-9]/)
    await fs.rm(path.join(kit.dataDir, 'nothing'), { force: true })
  })

  it('a read longer than the probation share (a scan) is not held, a second read soon after is, and a short range is', async () => {
    const kit = await sandbox.kit({ config: { ipfs_kit: { performance: { memory_cache_size: '8MiB' } } } }) // probation: 2 MiB
    const data = randomBytes(3 * MiB)
    const cid = await kit.storage.store(data)
    // bytes of the file's 1 MiB leaves in memory (the root, a few hundred bytes, is read alone: admitted as before)
    const leaves = async (root: string): Promise<number> => { const { hot } = await kit.storage.tierSizes(root); return hot - (hot % MiB) }
    expect(await leaves(cid)).toBe(0)
    expect(digest(await collect(kit.storage.stream(cid)))).toBe(digest(data))
    expect(await leaves(cid)).toBe(0)
    expect(digest(await kit.storage.retrieve(cid))).toBe(digest(data))
    expect(await leaves(cid)).toBe(3 * MiB)
    const other = await kit.storage.store(randomBytes(3 * MiB))
    expect(await collect(kit.storage.stream(other, { offset: MiB, length: 1000 }))).toHaveLength(1000)
    expect(await leaves(other)).toBe(MiB)
  })
})
