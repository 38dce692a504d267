import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPeer } from '../../peers/harness.ts'
import { createKit } from '../../src/index.ts'
import { contentHash, MiB, sleep, tempFiles, writeRandomFile } from './helpers.ts'

const KILLS = 20
const BIG = 256 * MiB

describe('SIGKILL during a 256 MiB store with pin', () => {
  let dir: string
  let bigFile: string
  let bigHash: string
  let storeMs = 1000

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-fault-store-'))
    bigFile = join(dir, 'weights.bin')
    bigHash = await writeRandomFile(bigFile, BIG)
  }, 120_000)

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it(`leaves a repo that opens cleanly with every reported store intact, at ${KILLS} random kill points`, async () => {
    const repo = join(dir, 'repo')
    const reported = new Map<string, string>() // cid → sha256 of stores that reported success
    let bigCid: string | undefined
    let killedMidStore = 0

    for (let i = 0; i < KILLS; i++) {
      const peer = await startPeer({ dataDir: repo, offline: true })
      // a small store that reports success before the crash
      const small = join(dir, `small-${i}.bin`)
      const smallHash = await writeRandomFile(small, 3 * MiB + i)
      reported.set(await peer.call('store', { path: small, pin: true }), smallHash)

      const started = Date.now()
      const store = peer.call('store', { path: bigFile, pin: true, filename: 'weights.bin' })
      store.catch(() => {})
      await Promise.race([sleep(Math.floor(Math.random() * storeMs * 1.1)), store])
      const finished = await Promise.race([store.then(() => true, () => false), sleep(0).then(() => false)])
      await peer.kill()
      if (finished) {
        storeMs = Math.max(200, Date.now() - started)
        bigCid = await store
        reported.set(bigCid, bigHash)
      } else {
        killedMidStore++
      }

      const kit = await createKit({ dataDir: repo, offline: true })
      try {
        expect(await tempFiles(repo)).toEqual([])
        const pinned = new Set<string>()
        for await (const pin of kit.pins.ls()) pinned.add(pin.cid.toString())
        for (const [cid, hash] of reported) {
          expect(pinned.has(cid)).toBe(true)
          expect(await contentHash(kit, cid)).toBe(hash)
        }
        // the same operation run again succeeds, and gives the same CID
        const again = await kit.storage.store({ path: bigFile }, { pin: true, filename: 'weights.bin' })
        if (bigCid != null) expect(again).toBe(bigCid)
        bigCid = again
        expect(await contentHash(kit, again)).toBe(bigHash)
        // unpin and collect it, so the next round writes every block again
        await kit.storage.unpin(again)
        reported.delete(again)
        await kit.storage.gc()
        for (const cid of reported.keys()) expect(await contentHash(kit, cid)).toBe(reported.get(cid))
      } finally {
        await kit.stop()
      }
      await rm(small, { force: true })
    }
    // the kill points must actually land inside stores, or this test proves nothing
    expect(killedMidStore).toBeGreaterThanOrEqual(KILLS / 2)
  }, 600_000)
})
