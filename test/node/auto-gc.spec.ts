import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import type { Kit } from '../../src/index.ts'

const KiB = 1024
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('automatic gc', () => {
  let kit: Kit | undefined
  let dir: string | undefined

  afterEach(async () => {
    await kit?.stop()
    if (dir != null) await rm(dir, { recursive: true, force: true })
  })

  const start = async (gcInterval: string): Promise<Kit> => {
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-autogc-'))
    kit = await createKit({
      dataDir: dir,
      offline: true,
      config: { ipfs_kit: { performance: { max_cache_size: '3MiB', gc_watermark: 0.9, gc_interval: gcInterval } } }
    })
    return kit
  }

  it('evicts orphan blocks first, then unpinned files least recently used first, never pinned data', async () => {
    const kit = await start('0')
    const pinned = await kit.storage.store(randomBytes(2048 * KiB), { pin: true })
    const u1 = await kit.storage.store(randomBytes(300 * KiB))
    await sleep(5)
    const u2 = await kit.storage.store(randomBytes(300 * KiB))
    await sleep(5)
    const u3 = await kit.storage.store(randomBytes(300 * KiB))
    await sleep(5)
    expect(await kit.storage.retrieve(u1)).toBeDefined() // u1 is now the most recently used
    const orphanBytes = randomBytes(100 * KiB)
    const orphan = CID.createV1(0x55, await sha256.digest(orphanBytes))
    await kit.helia.blockstore.put(orphan, orphanBytes)

    const result = await kit.storage.evict(Math.floor(3 * 1024 * KiB * 0.9))

    expect(result.after).toBeLessThanOrEqual(3 * 1024 * KiB * 0.9)
    expect(await kit.helia.blockstore.has(orphan)).toBe(false)
    expect(await kit.storage.exists(u2)).toBe(false)
    expect(await kit.storage.exists(u1)).toBe(true)
    expect(await kit.storage.exists(u3)).toBe(true)
    expect((await kit.storage.retrieve(pinned))?.byteLength).toBe(2048 * KiB)
    expect((await kit.storage.listFiles()).map(f => f.cid).sort()).toEqual([pinned, u1, u3].sort())
  })

  it('does nothing below the watermark', async () => {
    const kit = await start('0')
    const a = await kit.storage.store(randomBytes(500 * KiB))
    const result = await kit.storage.evict(Math.floor(3 * 1024 * KiB * 0.9))
    expect(result.removedBlocks).toBe(0)
    expect(await kit.storage.exists(a)).toBe(true)
  })

  it('runs by itself every gc_interval', async () => {
    const kit = await start('100ms')
    const pinned = await kit.storage.store(randomBytes(2500 * KiB), { pin: true })
    const unpinned = await kit.storage.store(randomBytes(600 * KiB))
    const deadline = Date.now() + 10_000
    while (await kit.storage.exists(unpinned) && Date.now() < deadline) await sleep(50)
    expect(await kit.storage.exists(unpinned)).toBe(false)
    expect(await kit.storage.exists(pinned)).toBe(true)
    expect(kit.autoGc.runs).toBeGreaterThan(0)
    expect(kit.autoGc.failures).toBe(0)
  })
})
