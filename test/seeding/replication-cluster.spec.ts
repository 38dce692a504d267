/**
 * Replication across 5 node processes: `--replicas 3` reaches 3 holders and never more; a holder
 * restarted within seeding.repin_grace keeps its place (nothing moves for it), and a holder that
 * stays dead is replaced by exactly one new holder after the grace. The same cluster (processes
 * are the expensive part) shows auto-pin across processes: a root read twice on a member is
 * pinned there as `auto` and the routing layer names that member as a provider. Members carry
 * `node.tags` zones a, a, b, b, c: the 3 holders land in 3 zones; a preheat `--tag zone=b` reaches
 * the two zone-b members only; a dataset preheat is refused by the member whose
 * `seeding.replica_max_bytes` is under the dataset's size, and that member says why.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startPeer } from '../../peers/harness.ts'
import { rendezvousOwner } from '../../src/seeding/index.ts'
import { MiB, writeRandomFile } from '../fixtures/random-file.ts'
import type { Peer } from '../../peers/harness.ts'

const GRACE_MS = 15_000
const SEEDING = { accept_replicas: true, heartbeat_interval: '300ms', repin_grace: `${GRACE_MS}ms`, auto_pin_reads: 2, auto_pin_window: '1m' }
/** Heartbeat TTL (3 × 300 ms) + one round + a pin of 1 MiB on loopback, with room for a loaded machine. */
const BOUND_MS = 20_000
const ZONES = ['a', 'a', 'b', 'b', 'c']
/** n1 (zone a) holds at most 2 KB for others: it refuses replicas and the dataset preheat. */
const SMALL = 1

describe('replication in a 5-process cluster', () => {
  const live = new Set<Peer>()
  const dirs: string[] = []

  afterEach(async () => {
    await Promise.all([...live].map(async p => { await p.stop() }))
    live.clear()
    await Promise.all(dirs.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  const indexOf = new Map<string, number>()
  async function start (dataDir: string, i = indexOf.get(dataDir) as number): Promise<Peer> {
    indexOf.set(dataDir, i)
    const seeding = i === SMALL ? { ...SEEDING, replica_max_bytes: '2KB' } : SEEDING
    const peer = await startPeer({ dataDir, seeding, tags: { zone: ZONES[i] as string } })
    live.add(peer)
    return peer
  }

  async function meshWith (peer: Peer): Promise<void> {
    for (const other of live) if (other !== peer) await peer.call('dial', { address: other.addresses[0] as string })
  }

  /** Live peers that pin `cid` (for any reason). */
  async function holders (cid: string): Promise<string[]> {
    const out: string[] = []
    await Promise.all([...live].map(async p => {
      // bounded: a peer killed while the call is on its way never answers
      const pins = await p.call('pinLs', {}, { timeoutMs: 5000 }).catch(() => [])
      if (pins.some(pin => pin.cid === cid)) out.push(p.peerId)
    }))
    return out.sort()
  }

  async function until (check: () => Promise<boolean>, what: string, deadlineMs: number): Promise<number> {
    const started = Date.now()
    while (!await check()) {
      if (Date.now() - started > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`)
      await sleep(250)
    }
    return Date.now() - started
  }

  it('keeps 3 holders: reached, never exceeded, a restart within the grace moves nothing, a death one re-allocation', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ipfs-kit-rf-'))
    dirs.push(root)
    const dataDirs = await Promise.all(Array.from({ length: 5 }, async (_, i) => await mkdtemp(join(root, `n${i}-`))))
    // in two waves: five tsx start-ups at once can pass the harness's start timeout on a loaded machine
    const peers = [...await Promise.all(dataDirs.slice(0, 3).map(async (d, i) => await start(d, i))), ...await Promise.all(dataDirs.slice(3).map(async (d, i) => await start(d, i + 3)))]
    const zoneOf = new Map(peers.map((p, i) => [p.peerId, ZONES[i] as string]))
    for (const peer of peers.slice(1)) await meshWith(peer)
    // a few heartbeat rounds, so every member has heard every other (and its zone) before the pin
    await sleep(2000)
    const origin = peers[0] as Peer
    const file = join(root, 'weights.bin')
    await writeRandomFile(file, MiB + 7)
    const cid = await origin.call('store', { path: file, pin: false })
    expect(await origin.call('pinReplicas', { cid, replicas: '3' })).toBe(true)

    // never more than 3 live holders, watched for the whole test
    let most = 0
    let watching = true
    const watcher = (async () => {
      while (watching) {
        most = Math.max(most, (await holders(cid)).length)
        await sleep(300)
      }
    })()

    try {
      await until(async () => (await holders(cid)).length === 3, 'rf 3 reached', BOUND_MS)
      const first = await holders(cid)
      expect(first).toContain(origin.peerId)
      // spread across zones: the origin's a, then b and c before a second a
      expect(first.map(p => zoneOf.get(p)).sort()).toEqual(['a', 'b', 'c'])
      await until(async () => (await origin.call('replicationLs', {}))[0]?.state === 'ok', 'state ok', BOUND_MS)
      expect(await origin.call('replicationLs', {})).toEqual([{ cid, min: 3, max: 3, holders: first, state: 'ok' }])
      for (const p of peers) {
        const pin = (await p.call('pinLs', {})).find(x => x.cid === cid)
        if (p !== origin && pin != null) expect(pin.origins).toEqual(['replica'])
      }

      // auto-pin: a member reading a root twice pins it as `auto` and provides it to the cluster
      const hotFile = join(root, 'hot.bin')
      await writeRandomFile(hotFile, MiB + 3)
      const hot = await origin.call('store', { path: hotFile, pin: true })
      const reader = peers.find(p => !first.includes(p.peerId)) as Peer
      await reader.call('retrieveToFile', { cid: hot, path: join(root, 'hot-1.bin') }, { timeoutMs: 60_000 })
      expect((await reader.call('pinLs', {})).some(pin => pin.cid === hot)).toBe(false)
      // fetched, not pinned: not offered to the cluster
      expect(await origin.call('cidProviders', { cid: hot, timeoutMs: 1500 })).not.toContain(reader.peerId)
      await reader.call('retrieveToFile', { cid: hot, path: join(root, 'hot-2.bin') }, { timeoutMs: 60_000 })
      await until(async () => (await reader.call('pinLs', {})).some(pin => pin.cid === hot && pin.origins.join() === 'auto'), 'auto-pinned on the reader', 10_000)
      await until(async () => (await origin.call('cidProviders', { cid: hot, timeoutMs: 2000 })).includes(reader.peerId), 'the reader named as a provider', BOUND_MS)

      // preheat --tag zone=b: the two zone-b members pull a model at once (pinned as `model`), the others do not
      const modelDir = join(root, 'model')
      await mkdir(modelDir)
      await writeRandomFile(join(modelDir, 'weights.bin'), 4096)
      const model = await origin.call('modelPublish', { dir: modelDir, name: 'acme/preheat' })
      const preheated = await origin.call('modelPreheat', { name: 'acme/preheat', peers: 'all', tags: { zone: 'b' } }, { timeoutMs: 60_000 })
      expect(preheated.map(r => r.ok)).toEqual([true, true])
      const zoneB = peers.filter(p => zoneOf.get(p.peerId) === 'b').map(p => p.peerId).sort()
      expect(preheated.map(r => r.peerId).sort()).toEqual(zoneB)
      const pulledBy: string[] = []
      for (const p of peers.filter(p => p !== origin)) {
        if ((await p.call('pinLs', {})).some(pin => pin.cid === model.root && pin.origins.includes('model'))) pulledBy.push(p.peerId)
      }
      expect(pulledBy.sort()).toEqual(zoneB)

      // a dataset preheat to all: the member with a 2 KB replica_max_bytes refuses the 5 KB dataset, saying why
      const dataDir = join(root, 'dataset')
      await mkdir(dataDir)
      await writeRandomFile(join(dataDir, 'train.bin'), 5000)
      const dataset = await origin.call('datasetPublish', { dir: dataDir, name: 'acme/preheat-set' })
      const small = peers[SMALL] as Peer
      const spread = await origin.call('modelPreheat', { name: 'acme/preheat-set', peers: 'all', kind: 'dataset' }, { timeoutMs: 60_000 })
      expect(spread.filter(r => !r.ok)).toEqual([{ peerId: small.peerId, ok: false, error: expect.stringContaining('over seeding.replica_max_bytes (2000)') }])
      expect(spread.filter(r => r.ok)).toHaveLength(3)
      // a dataset pull pins each shard as `dataset` (and the manifest block alone): none on the member that refused
      const datasetPins = async (p: Peer): Promise<number> => (await p.call('pinLs', {})).filter(pin => pin.origins.includes('dataset')).length
      expect(await datasetPins(small)).toBe(0)
      const holder = peers.find(p => p.peerId === spread.find(r => r.ok)?.peerId) as Peer
      expect(await datasetPins(holder)).toBeGreaterThan(1)
      void dataset

      // two replica holders die at once; one comes back within the grace, the other does not
      // the one restarted is, where the two allow it, the repair owner in its own view without the
      // dead one: a restart that forgot the dead holder (member-log.ts) would re-allocate at once
      const replicaHolders = peers.filter(p => p !== origin && first.includes(p.peerId)) as [Peer, Peer]
      const ownsWithout = (p: Peer, gone: Peer): boolean => rendezvousOwner(cid, peers.filter(q => q !== gone).map(q => q.peerId)) === p.peerId
      const [back, dead] = ownsWithout(replicaHolders[1], replicaHolders[0]) ? [replicaHolders[1], replicaHolders[0]] : replicaHolders
      await Promise.all([back.kill(), dead.kill()])
      live.delete(back)
      live.delete(dead)
      const killedAt = Date.now()
      const restarted = await start(back.dataDir)
      await meshWith(restarted)
      expect(Date.now() - killedAt).toBeLessThan(GRACE_MS) // else this run proves nothing about the grace

      const repairMs = await until(async () => (await holders(cid)).length === 3, 'rf 3 again', GRACE_MS + BOUND_MS)
      const after = await holders(cid)
      // the restarted holder kept its place; exactly one new holder replaced the dead one
      expect(after).toContain(restarted.peerId)
      expect(after).toContain(origin.peerId)
      expect(after).not.toContain(dead.peerId)
      expect(after.filter(p => !first.includes(p))).toHaveLength(1)
      // not before the grace: a re-allocation earlier would have moved the restarted holder's share too
      expect(Date.now() - killedAt).toBeGreaterThan(GRACE_MS)
      void repairMs
      await until(async () => (await origin.call('replicationLs', {}))[0]?.state === 'ok', 'state ok after repair', BOUND_MS)

      // pin rm on the origin ends it cluster-wide
      expect(await origin.call('unpin', { cid })).toBe(true)
      await until(async () => (await holders(cid)).length === 0, 'replicas dropped after the origin\'s pin rm', BOUND_MS)
    } finally {
      watching = false
      await watcher
    }
    expect(most).toBe(3)
  }, 240_000)
})
