/** Replication's rules: replica counts, peers' messages checked, one owner per root, and who may make a node pin. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.ts'
import { parseReplicas, rendezvousOwner } from '../../src/seeding/index.ts'
import { checkMessage } from '../../src/seeding/replication/messages.ts'
import { startRpcNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

const CID = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'
const PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

describe('replication rules', () => {
  it('validates ipfs_kit.seeding like the rest: one line naming the key', () => {
    const errorOf = (seeding: Record<string, unknown>): string => {
      try {
        loadConfig({ env: {}, overrides: { ipfs_kit: { seeding } } as any })
      } catch (err: any) {
        expect(err.name).toBe('ConfigError')
        return err.message
      }
      throw new Error('accepted')
    }
    expect(errorOf({ repin_grace: 'soon' })).toMatch(/ipfs_kit\.seeding\.repin_grace: expected a duration/)
    expect(errorOf({ auto_pin_reads: 1000 })).toMatch(/ipfs_kit\.seeding\.auto_pin_reads/)
    expect(errorOf({ replicas: 3 })).toMatch(/ipfs_kit\.seeding.*replicas/)
    expect(errorOf({ heartbeat_interval: '10ms' })).toMatch(/ipfs_kit\.seeding\.heartbeat_interval: expected a duration of at least 100ms/)
    expect(errorOf({ auto_pin_max_bytes: 'lots' }).split('\n')).toHaveLength(1)
    const { seeding } = loadConfig({ env: {} }).ipfs_kit
    expect(seeding).toEqual({ half_life: 3_600_000, auto_pin: true, auto_pin_reads: 5, auto_pin_window: 600_000, auto_unpin_after: 86_400_000, auto_pin_max_bytes: 10e9, repin_grace: 60_000, heartbeat_interval: 5_000, replica_max_bytes: 100e9, accept_replicas: false, service_replicas: null })
    expect(loadConfig({ env: {} }).ipfs_kit.node.tags).toEqual({})
    expect(errorOf({ service_replicas: 'two' })).toMatch(/ipfs_kit\.seeding\.service_replicas: expected N or MIN:MAX/)
  })

  it('reads --replicas as N (exactly N) or MIN:MAX within 1..SEEDING_MAX_REPLICAS', () => {
    expect(parseReplicas('3')).toEqual({ min: 3, max: 3 })
    expect(parseReplicas('2:4')).toEqual({ min: 2, max: 4 })
    expect(parseReplicas({ min: 1, max: 2 })).toEqual({ min: 1, max: 2 })
    for (const bad of ['0', '4:2', '17', 'three', '-1', '2:']) expect(() => parseReplicas(bad)).toThrow(/replicas must/)
  })

  it('refuses peers\' messages that are malformed or over their bounds', () => {
    const spec = { cid: CID, min: 1, max: 3, origin: PEER }
    expect(checkMessage({ op: 'hb', free: 10, specs: [spec] })).toEqual({ v: 1, op: 'hb', free: 10, specs: [spec], tags: {}, scores: {} })
    // tags and scores: kept when within their bounds, else ignored whole (the heartbeat still counts)
    expect(checkMessage({ op: 'hb', free: 10, specs: [spec], tags: { zone: 'a' }, scores: { [CID]: 3.5 } })).toMatchObject({ tags: { zone: 'a' }, scores: { [CID]: 3.5 } })
    const manyTags = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']))
    for (const tags of [manyTags, { zone: 'x'.repeat(65) }, { 'bad key': 'a' }, { zone: 7 }, ['a']]) {
      expect(checkMessage({ op: 'hb', free: 10, specs: [spec], tags })).toMatchObject({ op: 'hb', tags: {} })
    }
    // a score for a root the sender does not take part in, or not a finite number: ignored
    for (const scores of [{ [CID]: -1 }, { [CID]: Infinity }, { bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve: 9 }]) {
      expect(checkMessage({ op: 'hb', free: 10, specs: [spec], scores })).toMatchObject({ op: 'hb', scores: {} })
    }
    expect(checkMessage({ op: 'preheat', name: 'acme/set', kind: 'dataset' })).toEqual({ v: 1, op: 'preheat', name: 'acme/set', kind: 'dataset' })
    expect(checkMessage({ op: 'preheat', name: 'acme/bert' })).toEqual({ v: 1, op: 'preheat', name: 'acme/bert', kind: 'model' })
    expect(checkMessage({ op: 'preheat', name: 'acme/bert', kind: 'rootfs' })).toBeUndefined()
    expect(checkMessage({ op: 'hb', free: 10, specs: Array.from({ length: 1001 }, () => spec) })).toBeUndefined()
    expect(checkMessage({ op: 'hb', free: 10, specs: [{ ...spec, cid: 'not-a-cid' }] })).toBeUndefined()
    expect(checkMessage({ op: 'hb', free: 10, specs: [{ ...spec, max: 99 }] })).toBeUndefined()
    expect(checkMessage({ op: 'pin', spec: { ...spec, origin: 'nobody' } })).toBeUndefined()
    expect(checkMessage({ op: 'format-disk' })).toBeUndefined()
    // a quiet greeting (no replication, accepts none) is kept as such; one listing specs is not quiet
    expect(checkMessage({ op: 'hb', free: 1, specs: [], quiet: true })).toMatchObject({ op: 'hb', quiet: true })
    expect(checkMessage({ op: 'hb', free: 1, specs: [spec], quiet: true })).not.toHaveProperty('quiet')
    // a negative or absurd free space is read as 0, never believed
    expect(checkMessage({ op: 'hb', free: -5, specs: [] })).toMatchObject({ free: 0 })
  })

  it('names one repair owner per root whatever the member order, moved only when the owner leaves', () => {
    const members = ['a', 'b', 'c', 'd', 'e']
    const roots = Array.from({ length: 50 }, (_, i) => `root-${i}`)
    const owners = roots.map(r => rendezvousOwner(r, members))
    expect(roots.map(r => rendezvousOwner(r, [...members].reverse()))).toEqual(owners)
    expect(new Set(owners).size).toBeGreaterThan(2) // spread, not one owner for all
    const without = members.filter(m => m !== 'c')
    roots.forEach((r, i) => {
      if (owners[i] !== 'c') expect(rendezvousOwner(r, without)).toBe(owners[i])
    })
  })

  it('checks replicas before anything, and refuses them offline', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('offline', { pin: false })
    await expect(kit.storage.pin(cid, { replicas: '0' })).rejects.toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
    await expect(kit.storage.pin(cid, { replicas: 2 })).rejects.toThrow(expect.objectContaining({ name: 'OfflineError' }))
    const pins = []
    for await (const pin of kit.storage.pins()) pins.push(pin.cid)
    expect(pins).toEqual([]) // refused before the pin, not after
  })

  it('serves replicas and replication ls on the RPC API, refusing a bad count', async () => {
    const node = await startRpcNode(sandbox)
    try {
      const cid = await node.kit.storage.store('rpc replicas', { pin: false })
      const bad = await fetch(`${node.rpc.url}/api/v0/pin/add?arg=${cid}&replicas=two`, { method: 'POST' })
      expect(bad.status).toBe(400)
      expect(await bad.text()).toContain('replicas must be N or MIN:MAX')
      // the Pinning Service API is served only behind a token
      expect((await fetch(`${node.rpc.url}/pins`)).status).toBe(404)
      const ls = await fetch(`${node.rpc.url}/api/v0/ipfs-kit/replication/ls`, { method: 'POST' })
      expect(await ls.json()).toEqual([])
      const stats = await fetch(`${node.rpc.url}/api/v0/ipfs-kit/seeding/stats?limit=5`, { method: 'POST' })
      expect(await stats.json()).toMatchObject({ tracked: 0, roots: [] })
    } finally {
      await node.stop()
    }
  })

  it('does not pin for another node without a swarm key unless seeding.accept_replicas', async () => {
    const seeding = { heartbeat_interval: '100ms', repin_grace: '1s' }
    const a = await sandbox.kit({ offline: false, config: { ipfs_kit: { seeding: { ...seeding, accept_replicas: true } } } })
    const b = await sandbox.kit({ offline: false, config: { ipfs_kit: { seeding } } }) // accept_replicas: false, no swarm key
    await b.dial(a.addresses()[0] as string)
    const cid = await a.storage.store('only mine', { pin: false })
    expect(await a.storage.pin(cid, { replicas: 2 })).toBe(true)
    // many rounds: B hears A, A (or B, as owner) asks B, B refuses
    await sleep(2000)
    const pinsOfB = []
    for await (const pin of b.storage.pins()) pinsOfB.push(pin.cid)
    expect(pinsOfB).toEqual([])
    expect(a.seeding.replications()).toEqual([{ cid, min: 2, max: 2, holders: [a.peerId.toString()], state: 'under' }])
  })

  it('hears nothing more from a node that neither replicates nor accepts replicas after its greeting, until it replicates', async () => {
    const seeding = { heartbeat_interval: '100ms', repin_grace: '1s' }
    const a = await sandbox.kit({ offline: false, config: { ipfs_kit: { seeding: { ...seeding, accept_replicas: true } } } })
    const b = await sandbox.kit({ offline: false, config: { ipfs_kit: { seeding } } })
    await b.dial(a.addresses()[0] as string)
    // 15 intervals: b greeted a once, as quiet: heard, but no member (no candidate, no owner)
    await sleep(1500)
    expect(await a.seeding.preheat('acme/nothing')).toEqual([]) // b is no live member of a's
    // a quiet node may still ask its members for a preheat: a pulls b's model
    const dir = await sandbox.dir()
    await writeFile(join(dir, 'weights.bin'), 'quiet but publishing')
    await b.models.publish(dir, { name: 'acme/quiet' })
    expect(await b.seeding.preheat('acme/quiet')).toEqual([{ peerId: a.peerId.toString(), ok: true }])
    // b replicates a root of its own: it speaks every interval again, and a hears it
    const cid = await b.storage.store('b replicates this', { pin: false })
    expect(await b.storage.pin(cid, { replicas: 2 })).toBe(true)
    const deadline = Date.now() + 10_000
    while (!a.seeding.replications().some(r => r.cid === cid)) {
      if (Date.now() > deadline) throw new Error('a never heard b\'s replication')
      await sleep(100)
    }
    await sleep(500)
    expect(await a.seeding.preheat('acme/nothing')).toEqual([{ peerId: b.peerId.toString(), ok: false, error: expect.stringContaining('replicas refused') }])
    // a holds the second replica; b's pin rm ends the replication, b falls quiet, and its quiet
    // greeting is how a learns it ended: a drops the replica
    const pinnedOnA = async (): Promise<boolean> => { for await (const pin of a.storage.pins()) if (pin.cid === cid) return true; return false }
    const until = async (check: () => Promise<boolean>, what: string): Promise<void> => {
      const end = Date.now() + 10_000
      while (!await check()) {
        if (Date.now() > end) throw new Error(what)
        await sleep(100)
      }
    }
    await until(pinnedOnA, 'a never pinned the replica')
    expect(await b.storage.unpin(cid)).toBe(true)
    await until(async () => !await pinnedOnA(), 'a kept the replica after the origin\'s pin rm')
    await sleep(1000)
    expect(await a.seeding.preheat('acme/nothing')).toEqual([]) // quiet again
  })
})
