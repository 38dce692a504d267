/**
 * The IPFS Pinning Service API on a daemon's RPC port, driven by
 * `@ipfs-shipyard/pinning-service-client` (generated from the spec's OpenAPI
 * document), not by our own HTTP code: a pin with `meta.replicas` becomes a
 * replicated pin the cluster (two daemons) keeps on 2 holders; listing with
 * the spec's filters; replace; request ids that survive a restart; delete; a
 * wrong token refused with the spec's error body.
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Configuration, RemotePinningServiceClient, Status, TextMatchingStrategy } from '@ipfs-shipyard/pinning-service-client'
import { create } from 'kubo-rpc-client'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { cleanup, startDaemon, tempDir } from '../cli/helpers.ts'
import type { PinStatus } from '@ipfs-shipyard/pinning-service-client'

const TOKEN = 'pinning-service-test-token-0123456789'
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0']
const CONFIG = `ipfs_kit:\n  api:\n    auth_token: "${TOKEN}"\n  seeding:\n    accept_replicas: true\n    heartbeat_interval: "300ms"\n    repin_grace: "5s"\n`

/** Our own RPC, to look at the node (not to drive the API under test). */
async function rpc<T = any> (api: string, command: string): Promise<T> {
  const res = await fetch(`${api}/api/v0/${command}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } })
  expect(res.status).toBe(200)
  return await res.json() as T
}

async function origins (api: string): Promise<Record<string, string[]>> {
  const { Keys } = await rpc<{ Keys: Record<string, { Origins: string[] }> }>(api, 'pin/ls')
  return Object.fromEntries(Object.entries(Keys).map(([cid, { Origins }]) => [cid, Origins]))
}

function client (api: string, token = TOKEN): RemotePinningServiceClient {
  return new RemotePinningServiceClient(new Configuration({ endpointUrl: api, accessToken: token }))
}

async function until<T> (get: () => Promise<T>, done: (value: T) => boolean, what: string, deadlineMs = 30_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await get()
    if (done(value)) return value
    if (Date.now() - started > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms (last: ${JSON.stringify(value)})`)
    await sleep(200)
  }
}

describe('Pinning Service API', () => {
  afterEach(cleanup)
  afterAll(cleanup)

  it('pins through the cluster, lists with filters, replaces, keeps request ids across a restart, deletes, refuses a wrong token', async () => {
    const work = await tempDir()
    const config = path.join(work, 'ipfs-kit.yaml')
    await writeFile(config, CONFIG)
    const providerDir = path.join(work, 'provider')
    const provider = await startDaemon(providerDir, ['--config', config, '--api', '127.0.0.1:0', ...LOOPBACK])
    const kubo = create({ url: (provider.info as unknown as { api: string }).api, headers: { Authorization: `Bearer ${TOKEN}` } })
    const cids: string[] = []
    for (const [i, text] of ['weights one', 'tiny model', 'tiny model v2'].entries()) {
      cids.push((await kubo.add(`${text} ${'x'.repeat(2000 + i)}`)).cid.toString())
    }
    const [replicated, tiny, tinyV2] = cids as [string, string, string]

    const nodeDir = path.join(work, 'node')
    const start = async (): Promise<{ api: string, stop: () => Promise<number | null>, peerId: string }> => {
      const d = await startDaemon(nodeDir, ['--config', config, '--api', '127.0.0.1:0', ...LOOPBACK, '--bootstrap', provider.info.addresses[0] as string])
      return { api: (d.info as unknown as { api: string }).api, stop: async () => await d.stop(), peerId: d.info.peerId }
    }
    let node = await start()
    let pins = client(node.api)

    // a replicated pin: 2 holders (this node and the provider), asked through meta.replicas
    const first = await pins.pinsPost({ pin: { cid: replicated, name: 'weights', origins: [provider.info.addresses[0] as string], meta: { replicas: '2', app: 'trainer' } } })
    expect([Status.Queued, Status.Pinning]).toContain(first.status)
    expect(first.delegates.length).toBeGreaterThan(0)
    expect(first.delegates.every(d => d.endsWith(`/p2p/${node.peerId}`))).toBe(true)
    const pinned = await until(async () => await pins.pinsRequestidGet({ requestid: first.requestid }), s => s.status === Status.Pinned && s.info?.replication === 'ok', 'replicated pin ok')
    expect(pinned.info).toMatchObject({ replicas: '2', replication: 'ok', holders: '2' })
    expect(pinned.pin).toEqual({ cid: replicated, name: 'weights', origins: [provider.info.addresses[0]], meta: { replicas: '2', app: 'trainer' } })
    const replication = await rpc<Array<{ cid: string, holders: string[] }>>(node.api, 'ipfs-kit/replication/ls')
    expect(replication.find(r => r.cid === replicated)?.holders.sort()).toEqual([node.peerId, provider.info.peerId].sort())
    expect((await origins(node.api))[replicated]).toEqual(['service'])

    // a local pin (no replicas asked, seeding.service_replicas null)
    const second = await pins.pinsPost({ pin: { cid: tiny, name: 'Tiny-Model' } })
    const secondPinned = await until(async () => await pins.pinsRequestidGet({ requestid: second.requestid }), s => s.status === Status.Pinned, 'local pin')
    expect(secondPinned.info).toBeUndefined()

    // filters
    const all = await pins.pinsGet({})
    expect(all.count).toBe(2)
    expect(all.results.map(r => r.requestid)).toEqual([second.requestid, first.requestid]) // newest first
    expect((await pins.pinsGet({ name: 'tiny', match: TextMatchingStrategy.Ipartial })).results.map(r => r.requestid)).toEqual([second.requestid])
    expect((await pins.pinsGet({ name: 'tiny', match: TextMatchingStrategy.Exact })).count).toBe(0)
    expect((await pins.pinsGet({ cid: [replicated] })).results.map(r => r.requestid)).toEqual([first.requestid])
    expect((await pins.pinsGet({ meta: { app: 'trainer' } })).results.map(r => r.requestid)).toEqual([first.requestid])
    expect((await pins.pinsGet({ status: [Status.Failed, Status.Queued] })).count).toBe(0)
    expect((await pins.pinsGet({ before: secondPinned.created })).results.map(r => r.requestid)).toEqual([first.requestid])
    expect((await pins.pinsGet({ after: pinned.created })).results.map(r => r.requestid)).toEqual([second.requestid])
    const page = await pins.pinsGet({ limit: 1 })
    expect([page.count, page.results.length]).toEqual([2, 1])

    // replace: a new request id, the old one gone, the old root's service pin dropped once the new one lands
    const replaced = await pins.pinsRequestidPost({ requestid: second.requestid, pin: { cid: tinyV2, name: 'Tiny-Model' } })
    expect(replaced.requestid).not.toBe(second.requestid)
    expect(await pins.pinsRequestidGet({ requestid: second.requestid }).then(() => 200, (r: Response) => r.status)).toBe(404)
    await until(async () => await pins.pinsRequestidGet({ requestid: replaced.requestid }), s => s.status === Status.Pinned, 'replacement pinned')
    await until(async () => await origins(node.api), pins => pins[tiny] == null && pins[tinyV2] != null, 'old root unpinned')

    // request ids and states survive a restart
    expect(await node.stop()).toBe(0)
    node = await start()
    pins = client(node.api)
    const afterRestart: PinStatus = await pins.pinsRequestidGet({ requestid: first.requestid })
    expect([afterRestart.status, afterRestart.created.getTime()]).toEqual([Status.Pinned, pinned.created.getTime()])
    expect((await pins.pinsGet({})).results.map(r => r.requestid)).toEqual([replaced.requestid, first.requestid])

    // delete: gone, and the service origin with it
    await pins.pinsRequestidDelete({ requestid: replaced.requestid })
    expect(await pins.pinsRequestidGet({ requestid: replaced.requestid }).then(() => 200, (r: Response) => r.status)).toBe(404)
    expect(Object.keys(await origins(node.api)).sort()).toEqual([replicated])

    // a wrong token: 401 with the spec's error body, nothing listed
    const refused = await client(node.api, 'not-the-token-0123456789012345').pinsGet({}).then(() => undefined, (r: Response) => r)
    expect(refused?.status).toBe(401)
    expect(await refused?.json()).toEqual({ error: { reason: 'UNAUTHORIZED', details: 'wrong API token' } })
    // a malformed pin: 400 BAD_REQUEST
    const bad = await pins.pinsPost({ pin: { cid: 'not-a-cid' } }).then(() => undefined, (r: Response) => r)
    expect(bad?.status).toBe(400)
    expect(((await bad?.json()) as { error: { reason: string } }).error.reason).toBe('BAD_REQUEST')
    await node.stop()
    await provider.stop()
  }, 120_000)
})
