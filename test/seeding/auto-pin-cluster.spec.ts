/** Across processes: a root a node reads often is auto-pinned there and provided to the cluster; one read less is not. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { MiB, writeRandomFile } from '../fixtures/random-file.ts'
import type { Peer } from '../../peers/harness.ts'

describe('auto-pin in a cluster', () => {
  const peers: Peer[] = []
  let dir: string | undefined

  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async p => { await p.stop() }))
    if (dir != null) await rm(dir, { recursive: true, force: true })
  })

  it('auto-pins a root read twice on the reader and provides it to the cluster', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-seed-'))
    const source = join(dir, 'weights.bin')
    await writeRandomFile(source, 2 * MiB + 1)
    // started side by side (a peer's start is most of this test's time), then connected
    const [a, b] = await Promise.all([startPeer(), startPeer({ seeding: { auto_pin_reads: 2, auto_pin_window: '1m' } })])
    peers.push(a, b)
    await b.call('dial', { address: a.addresses[0] as string })
    await waitForPeers(b, 1)
    const cid = await a.call('store', { path: source, pin: true })

    await b.call('retrieveToFile', { cid, path: join(dir, 'first.bin') }, { timeoutMs: 60_000 })
    expect(await b.call('pinLs', {})).toEqual([])
    // fetched but not pinned: B does not offer it to the cluster
    expect(await a.call('cidProviders', { cid, timeoutMs: 1500 })).toEqual([])

    await b.call('retrieveToFile', { cid, path: join(dir, 'second.bin') }, { timeoutMs: 60_000 })
    const deadline = Date.now() + 10_000
    let pins = await b.call('pinLs', {})
    while (pins.length === 0 && Date.now() < deadline) {
      await sleep(50)
      pins = await b.call('pinLs', {})
    }
    expect(pins).toEqual([{ cid, origins: ['auto'] }])
    let providers: string[] = []
    while (!providers.includes(b.peerId) && Date.now() < deadline + 10_000) providers = await a.call('cidProviders', { cid, timeoutMs: 2000 })
    expect(providers).toEqual([b.peerId])
  }, 120_000)
})
