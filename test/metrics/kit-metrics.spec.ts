/**
 * Metrics of real kits: operation counts, bytes and latencies, local hits
 * versus network fetches between two online kits, corrupt blocks, per-kit
 * registries, and the seed plan's collect_metrics() shape.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { MIB, collect, concatBytes, patternBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const sandbox = new Sandbox()

/** The value of one sample line in Prometheus text, or undefined when absent. */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find(l => l.startsWith(series + ' '))
  return line == null ? undefined : Number(line.slice(series.length + 1))
}

describe('kit metrics', () => {
  afterEach(async () => { await sandbox.cleanup() })

  it('counts operations, bytes and latencies of store, retrieve, stream, pin, unpin and gc', async () => {
    const kit = await sandbox.kit()
    const bytes = patternBytes(3 * MIB + 5)
    const cid = await kit.storage.store(bytes)
    const other = await kit.storage.store('unpinned', { pin: false })
    expect(await kit.storage.retrieve(cid)).toHaveLength(bytes.length)
    expect(await collect(kit.storage.stream(cid, { offset: 1, length: 10 }))).toHaveLength(10)
    expect(await kit.storage.pin(cid)).toBe(true)
    expect(await kit.storage.unpin(other)).toBe(false)
    const gc = await kit.storage.gc()
    expect(gc.freedBytes).toBe(8)

    const text = await kit.telemetry.prometheus()
    expect(sample(text, 'ipfs_kit_operations_total{operation="store",result="ok"}')).toBe(2)
    expect(sample(text, 'ipfs_kit_operation_bytes_total{operation="store"}')).toBe(bytes.length + 8)
    expect(sample(text, 'ipfs_kit_operation_bytes_total{operation="retrieve"}')).toBe(bytes.length)
    expect(sample(text, 'ipfs_kit_operation_bytes_total{operation="stream"}')).toBe(10)
    expect(sample(text, 'ipfs_kit_operation_bytes_total{operation="gc"}')).toBe(8)
    expect(sample(text, 'ipfs_kit_operations_total{operation="unpin",result="not_found"}')).toBe(1)
    expect(sample(text, 'ipfs_kit_operation_duration_seconds_count{operation="retrieve"}')).toBe(1)
    expect(sample(text, 'ipfs_kit_operation_duration_seconds_count{operation="gc"}')).toBe(1)
    // 3 leaves + root read by retrieve, root + leaf by the ranged stream, and every one of them local
    expect(sample(text, 'ipfs_kit_block_reads_total{source="local"}')).toBeGreaterThanOrEqual(5)
    expect(sample(text, 'ipfs_kit_block_reads_total{source="network"}')).toBeUndefined()
    expect(sample(text, 'ipfs_kit_pins')).toBe(1)
    expect(sample(text, 'ipfs_kit_repo_blocks')).toBe(5)
    expect(sample(text, 'ipfs_kit_repo_bytes')).toBeGreaterThan(bytes.length)
    // process metrics come with it
    expect(text).toContain('process_cpu_user_seconds_total')
  })

  it('reports the bytes pins hold: a block two pins share counts once, unpinned content not at all', async () => {
    const kit = await sandbox.kit()
    const a = patternBytes(2 * MIB, 7)
    // b's first 1 MiB leaf is a's first leaf: one block on disk, held by both pins
    const b = concatBytes(a.subarray(0, MIB), patternBytes(MIB, 8))
    const cidA = await kit.storage.store(a, { pin: true })
    await kit.storage.store(b, { pin: true })
    await kit.storage.store('unpinned', { pin: false })

    const text = await kit.telemetry.prometheus()
    const repoBytes = sample(text, 'ipfs_kit_repo_bytes') as number
    // every block but the 8-byte unpinned one, each counted once
    expect(sample(text, 'ipfs_kit_pinned_bytes')).toBe(repoBytes - 8)
    expect((await kit.storage.status()).repo.pinnedBytes).toBe(repoBytes - 8)

    // unpinning a frees its own root and second leaf from the count, not the leaf b still holds
    let rootA = 0
    for await (const part of kit.helia.blockstore.get(CID.parse(cidA))) rootA += part.byteLength
    expect(await kit.storage.unpin(cidA)).toBe(true)
    expect((await kit.storage.status()).repo.pinnedBytes).toBe(repoBytes - 8 - MIB - rootA)
  })

  it('returns the seed plan\'s collect_metrics() shape', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('hello world')
    await kit.storage.retrieve(cid)
    expect(await kit.storage.retrieve('bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve')).toBeUndefined()
    const metrics = await kit.metrics()
    expect(metrics).toMatchObject({
      ipfsKitAvailable: false,
      usingFallback: true,
      storageOperations: { store: 1, retrieve: 2, blockHits: 1, blockMisses: 1, cacheHits: 0, cacheMisses: 0, errors: 0 },
      backendHealth: { usingFallback: true, backends: { local: true, ipfs: false }, repo: { blocks: 1, pins: 0 } }
    })
  })

  it('keeps each kit\'s series in its own registry', async () => {
    const a = await sandbox.kit()
    const b = await sandbox.kit()
    await a.storage.store('only in a')
    expect(sample(await a.telemetry.prometheus(), 'ipfs_kit_operations_total{operation="store",result="ok"}')).toBe(1)
    expect(sample(await b.telemetry.prometheus(), 'ipfs_kit_operations_total{operation="store",result="ok"}')).toBeUndefined()
    expect((await b.metrics()).storageOperations.store).toBe(0)
  })

  it('counts blocks fetched from a peer as network fetches, and libp2p\'s bytes per protocol', async () => {
    const provider = await sandbox.kit({ offline: false })
    const fetcher = await sandbox.kit({ offline: false })
    const bytes = patternBytes(2 * MIB + 1, 3)
    const cid = await provider.storage.store(bytes, { pin: true })
    await fetcher.dial(provider.addresses()[0] as string)
    expect(await fetcher.storage.retrieve(cid)).toHaveLength(bytes.length)

    const metrics = await fetcher.metrics()
    expect(metrics.storageOperations.networkFetches).toBe(4) // root and three leaves
    expect(metrics.storageOperations.networkBytes).toBeGreaterThan(bytes.length)
    expect(metrics.storageOperations.blockMisses).toBe(4)
    expect(metrics.storageOperations.blockHits).toBe(0)
    expect(metrics.backendHealth.peers).toBe(1)
    // read again: every block is local now
    await fetcher.storage.retrieve(cid)
    expect((await fetcher.metrics()).storageOperations.blockHits).toBe(4)

    const text = await fetcher.telemetry.prometheus()
    expect(sample(text, 'ipfs_kit_block_reads_total{source="network"}')).toBe(4)
    expect(sample(text, 'ipfs_kit_connected_peers')).toBe(1)
    const status = await fetcher.status()
    // the blocks came over our transfer protocol (src/transfer), counted per protocol by libp2p
    const ours = Object.entries(status.transfer).find(([protocol]) => protocol.startsWith('/ipfs-kit/transfer'))
    expect(ours?.[1].received).toBeGreaterThan(bytes.length)
    expect(status.transfer.global?.received).toBeGreaterThan(bytes.length)
  })

  it('shows a model pull in progress in status(), and the model as held once pulled', async () => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false, bootstrap: a.addresses() })
    const dir = path.join(await sandbox.dir(), 'model')
    await mkdir(dir)
    await writeFile(path.join(dir, 'weights.bin'), patternBytes(3 * MIB, 9))
    await a.models.publish(dir, { name: 'acme/tracked' })
    const during: Array<Promise<Awaited<ReturnType<typeof b.status>>>> = []
    await b.models.pull('acme/tracked', { onProgress: event => { if (event.type === 'models:pull:progress') during.push(b.status()) } })
    const seen = (await Promise.all(during)).flatMap(s => s.models.pulling)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen[0]).toMatchObject({ name: 'acme/tracked', bytesTotal: 3 * MIB, peers: 1 })
    expect(Math.max(...seen.map(p => p.bytesDone))).toBeGreaterThan(0)
    const after = await b.status()
    expect(after.models.pulling).toEqual([])
    expect(after.models.held.map(m => m.name)).toEqual(['acme/tracked'])
    expect(sample(await b.telemetry.prometheus(), 'ipfs_kit_model_pulls_active')).toBe(0)
    expect((await b.metrics()).storageOperations.networkFetches).toBeGreaterThanOrEqual(4)
  })

  it('reports corrupt blocks moved to quarantine', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('soon to be damaged')
    const blocks = path.join(kit.dataDir, 'blocks')
    for (const shard of await readdir(blocks)) {
      if (shard.startsWith('.') || shard.includes('.')) continue
      for (const file of await readdir(path.join(blocks, shard))) {
        if (file.endsWith('.data')) await writeFile(path.join(blocks, shard, file), 'not the bytes of that block')
      }
    }
    expect(await kit.storage.retrieve(cid)).toBeUndefined()
    const text = await kit.telemetry.prometheus()
    expect(sample(text, 'ipfs_kit_quarantined_blocks')).toBe(1)
    expect((await kit.metrics()).backendHealth.repo.quarantined).toBe(1)
  })
})
