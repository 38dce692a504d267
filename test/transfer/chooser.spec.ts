/** The piece chooser: which pending blocks a provider is asked for (rarest first among those it may be asked for). */
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { TRANSFER_BATCH_BLOCKS } from '../../src/constants.ts'
import { HaveMap } from '../../src/transfer/have-map.ts'
import { Provider } from '../../src/transfer/provider.ts'
import { rarestFirst, takeBatch } from '../../src/transfer/want.ts'
import { askPolicy } from '../../src/transfer/ask-policy.ts'
import type { Want } from '../../src/transfer/want.ts'

const PEER = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')

async function want (name: string): Promise<Want> {
  const cid = CID.createV1(0x55, await sha256.digest(new TextEncoder().encode(name)))
  return { cid, key: cid.toString(), lacking: new Map(), deferred: new Map(), at: new Set(), done: false, fallback: false } as unknown as Want
}

describe('piece chooser', () => {
  it('orders by rarity, queue order among equals, and takes at most the limit', () => {
    expect(rarestFirst(['a', 'b', 'c', 'd', 'e'], 3, x => ({ a: 3, b: 1, c: 2, d: 1, e: 5 })[x] as number)).toEqual(['b', 'd', 'c'])
    expect(rarestFirst(['a', 'b', 'c'], 2)).toEqual(['a', 'b'])
  })

  it('asks a provider for the rarest blocks it announced first; the others stay queued in their order', async () => {
    const wants = await Promise.all(['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6'].map(want))
    const haves = new HaveMap()
    const p = new Provider(PEER)
    // the provider announced all but w6; w0..w2 are held by many peers, w3..w5 only by it
    haves.record(p.key, wants.slice(0, 6).map(w => w.key))
    for (const other of ['B', 'C', 'D']) haves.record(other, wants.slice(0, 3).map(w => w.key))
    haves.record('B', [(wants[4] as Want).key])
    const pending = [...wants]
    const batch = takeBatch(p, pending, w => haves.has(p.key, w.key), w => haves.holders(w.key).size)
    expect(batch.length).toBe(TRANSFER_BATCH_BLOCKS)
    // rarest first: w3 and w5 (1 holder), then w4 (2), then the first of the common ones (4)
    expect(batch.map(w => w.key)).toEqual([wants[3], wants[5], wants[4], wants[0]].map(w => (w as Want).key))
    expect(pending.map(w => w.key)).toEqual([wants[1], wants[2], wants[6]].map(w => (w as Want).key))
  })

  it('takes first the blocks another provider said this one has (ELSEWHERE), then by rarity', async () => {
    const wants = await Promise.all(['h0', 'h1', 'h2'].map(want))
    const p = new Provider(PEER)
    ;(wants[2] as Want).hint = p.key
    const batch = takeBatch(p, [...wants], () => true, w => w === wants[0] ? 1 : 5)
    expect(batch.map(w => w.key)).toEqual([wants[2], wants[0], wants[1]].map(w => (w as Want).key))
  })

  it('asks a seed only for blocks no reachable peer announced, and a fetching peer only for what it announced', async () => {
    const [common, fresh] = await Promise.all(['common', 'fresh'].map(want)) as [Want, Want]
    const seed = new Provider(peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'))
    seed.served = 4 // served, never lacked, announces nothing: a seed
    const worker = new Provider(peerIdFromString('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'))
    const haves = new HaveMap()
    haves.record(worker.key, [common.key])
    const policy = askPolicy([seed, worker], haves, Date.now())
    expect(policy.announcing(worker)).toBe(true)
    expect(policy.mayAsk(common, worker)).toBe(true)
    expect(policy.mayAsk(fresh, worker)).toBe(false)
    expect(policy.mayAsk(common, seed)).toBe(false)
    expect(policy.mayAsk(fresh, seed)).toBe(true)
    // the seed sent us ELSEWHERE to the worker for `fresh` (it is receiving it): wait for its announcement
    fresh.hint = worker.key
    fresh.hintAt = Date.now()
    fresh.createdAt = Date.now()
    const waiting = askPolicy([seed, worker], haves, Date.now())
    expect(waiting.mayAsk(fresh, seed)).toBe(false)
    expect(waiting.mayAsk(fresh, worker)).toBe(false)
    haves.record(worker.key, [fresh.key])
    expect(askPolicy([seed, worker], haves, Date.now()).mayAsk(fresh, worker)).toBe(true)
    // the worker answered MISSING for it (and lost the have): now the seed may be asked
    common.lacking.set(worker.key, Date.now())
    haves.forget(worker.key, common.key)
    expect(askPolicy([seed, worker], haves, Date.now()).mayAsk(common, seed)).toBe(true)
  })

  it('asks complete providers alike when nobody in the session is fetching: no swarm to spare a seed for', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map(want)) as [Want, Want]
    a.createdAt = b.createdAt = Date.now()
    const seed = new Provider(peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'))
    seed.served = 4
    const other = new Provider(peerIdFromString('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'))
    const untried = new Provider(peerIdFromString('12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8'))
    other.served = 2
    const haves = new HaveMap()
    const calm = askPolicy([seed, other, untried], haves, Date.now())
    for (const p of [seed, other, untried]) expect(calm.mayAsk(a, p), p.key).toBe(true)
    // once one of them announces (it is fetching), the seeds keep to the blocks nobody announced
    haves.record(untried.key, [a.key])
    const swarm = askPolicy([seed, other, untried], haves, Date.now())
    expect(swarm.mayAsk(a, seed)).toBe(false)
    expect(swarm.mayAsk(a, untried)).toBe(true)
  })

  it('takes a provider that answered BUSY or ELSEWHERE (and never lacked) for a seed: fetching peers are not asked blindly meanwhile', async () => {
    const fresh = await want('nobody has it yet')
    fresh.createdAt = Date.now() - 60_000 // waited long enough to go anywhere allowed
    const seed = new Provider(peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'))
    const worker = new Provider(peerIdFromString('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'))
    const haves = new HaveMap()
    haves.record(worker.key, []) // a hello: it is fetching, and announced nothing
    // the seed has sent us nothing yet: no seed is known, so the fetching worker may be asked blindly
    expect(seed.seedLike()).toBe(false)
    expect(askPolicy([seed, worker], haves, Date.now()).mayAsk(fresh, worker)).toBe(true)
    // it answered BUSY (every slot taken): a server that sends rather than lacks, a seed
    seed.refused++
    expect(seed.seedLike()).toBe(true)
    const policy = askPolicy([seed, worker], haves, Date.now())
    expect(policy.mayAsk(fresh, worker)).toBe(false)
    expect(policy.mayAsk(fresh, seed)).toBe(true)
    // one that then says it lacks a block is no seed
    seed.lacked++
    expect(seed.seedLike()).toBe(false)
  })
})
