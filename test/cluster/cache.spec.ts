/**
 * The inference cache across real processes: a value put on A is a verified
 * hit on B (fetched by CID, kept with its remaining TTL), an expired entry is
 * served by nobody, bounds evict in a running node, entries survive a
 * restart, an entry's blocks survive gc exactly while it lives, and a peer
 * that forges an entry is refused and ignored from then on.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Peer } from '../../peers/harness.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
async function until (check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!await check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(50)
  }
}
// 256 KiB of text: one block, like a generated answer with logits
const value = (): string => randomBytes(128 * 1024).toString('hex')

describe('a cluster-shared inference cache', () => {
  const sandbox = new Sandbox()
  let a: Peer
  let b: Peer
  let aDir: string

  beforeAll(async () => {
    aDir = await sandbox.dir()
    a = await startPeer({ dataDir: aDir, cache: { max_entries: 3, max_bytes: 600_000, sweep_interval: '1h' } })
    // a long grace: the gossip test proves that a hinted peer alone is asked, whatever the load
    b = await startPeer({ bootstrap: a.addresses, cache: { sweep_interval: '1h', hinted_grace: '10s' } })
    await waitForPeers(b, 1)
  }, 60_000)
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await sandbox.cleanup()
  })

  it('answers on B a value put on A, verified, and keeps it with the remaining TTL', async () => {
    const v = value()
    const cid = await a.call('cachePut', { key: 'prompt-1', value: v, ttlMs: 60_000 })
    expect(await b.call('cacheGet', { key: 'prompt-1', timeoutMs: 5000 })).toBe(v)
    const [onA] = (await a.call('cacheList', {})).filter(e => e.key === 'prompt-1')
    const [onB] = (await b.call('cacheList', {})).filter(e => e.key === 'prompt-1')
    expect(onB).toEqual({ key: 'prompt-1', cid, size: v.length, expires: onA?.expires })
    expect(await b.call('exists', { cid })).toBe(true)
    // the second get is local
    expect(await b.call('cacheGet', { key: 'prompt-1' })).toBe(v)
    expect(await b.call('cacheStats', {})).toMatchObject({ hits: 2, remoteHits: 1, misses: 0 })
  })

  it('serves an expired entry nowhere', async () => {
    await a.call('cachePut', { key: 'short', value: 'soon gone', ttlMs: 300 })
    await sleep(400)
    expect(await b.call('cacheGet', { key: 'short', timeoutMs: 1000 })).toBeNull()
    expect(await a.call('cacheGet', { key: 'short' })).toBeNull()
    expect((await a.call('cacheStats', {})).expirations).toBeGreaterThanOrEqual(1)
  })

  it('evicts the least recently used entries at max_entries and at max_bytes', async () => {
    for (const key of ['e1', 'e2', 'e3', 'e4']) await a.call('cachePut', { key, value: key })
    let keys = (await a.call('cacheList', {})).map(e => e.key)
    expect(keys).toEqual(['e2', 'e3', 'e4'])
    await a.call('cacheGet', { key: 'e2' })
    await a.call('cachePut', { key: 'big', value: 'x'.repeat(599_999) }) // e3 goes for the count, e4 and then e2 (the most recently read) for the bytes
    keys = (await a.call('cacheList', {})).map(e => e.key)
    expect(keys).toEqual(['big'])
    expect((await a.call('cacheStats', {})).evictions).toBeGreaterThanOrEqual(4)
  })

  it('keeps entries across a restart, and their blocks through gc until they expire', async () => {
    const v = value()
    const cid = await a.call('cachePut', { key: 'durable', value: v, ttlMs: 120_000 })
    const short = await a.call('cachePut', { key: 'ephemeral', value: value(), ttlMs: 1500 })
    await a.stop()
    a = await startPeer({ dataDir: aDir, cache: { max_entries: 3, max_bytes: 600_000, sweep_interval: '1h' } })
    expect(await a.call('cacheGet', { key: 'durable' })).toBe(v)
    await a.call('gc', {})
    expect(await a.call('exists', { cid })).toBe(true)
    await sleep(1600)
    await a.call('cacheSweep', {}) // or already gone at start, if the restart took longer than the TTL
    expect((await a.call('cacheList', {})).map(e => e.key)).toEqual(['durable'])
    await a.call('gc', {})
    expect(await a.call('exists', { cid: short })).toBe(false)
    expect(await a.call('exists', { cid })).toBe(true)
  }, 60_000)

  it('lets an entry\'s blocks go at gc once it expires', async () => {
    const cid = await a.call('cachePut', { key: 'brief', value: value(), ttlMs: 300 })
    await a.call('gc', {})
    expect(await a.call('exists', { cid })).toBe(true)
    await sleep(400)
    expect(await a.call('cacheSweep', {})).toBeGreaterThanOrEqual(1)
    await a.call('gc', {})
    expect(await a.call('exists', { cid })).toBe(false)
  }, 60_000)

  it('refuses a forged entry and ignores its peer from then on', async () => {
    const liar = await startPeer({ bootstrap: [b.addresses[0] as string] })
    try {
      await waitForPeers(liar, 1)
      const honest = await liar.call('cachePut', { key: 'anything', value: 'what was signed' })
      // content B could fetch and hash-check, but not what the signature covers
      const other = await liar.call('cachePut', { key: 'other', value: 'what the liar wants served' })
      await liar.call('cacheForge', { cid: honest, size: 'what was signed'.length, forgedCid: other })
      await sleep(500) // identify has told B the liar speaks the cache protocol
      expect(await b.call('cacheGet', { key: 'poisoned', timeoutMs: 3000 })).toBeNull()
      expect(await b.call('cacheIgnored', {})).toContain(liar.peerId)
      expect((await b.call('cacheList', {})).map(e => e.key)).not.toContain('poisoned')
    } finally {
      await liar.stop()
    }
  }, 60_000)

  it('asks first the peer whose gossip announced the key, takes a one-block value inline, and ignores a peer whose inline bytes do not hash', async () => {
    const c = await startPeer({ bootstrap: [b.addresses[0] as string], cache: { sweep_interval: '1h' } })
    try {
      await waitForPeers(c, 1)
      const hintsBefore = (await b.call('cacheSharing', {})).hints
      const v = value()
      const cid = await c.call('cachePut', { key: 'gossiped', value: v, ttlMs: 60_000 })
      expect((await c.call('cacheSharing', {})).digestsAnnounced).toBe(1)
      await until(async () => (await b.call('cacheSharing', {})).hints > hintsBefore, 15_000, 'B to hear C\'s digest')
      const [aServed, cServed, cSent] = [(await a.call('cacheSharing', {})).asksServed, (await c.call('cacheSharing', {})).asksServed, await c.call('transferSent', {})]
      expect(await b.call('cacheGet', { key: 'gossiped', timeoutMs: 5000 })).toBe(v)
      // only C was asked (A, connected to B and speaking the protocol, never was), and the value came in C's answer
      expect((await a.call('cacheSharing', {})).asksServed).toBe(aServed)
      expect((await c.call('cacheSharing', {})).asksServed).toBe(cServed + 1)
      expect(await c.call('transferSent', {})).toBe(cSent)
      expect(await b.call('exists', { cid })).toBe(true)

      // now C signs honest entries but sends other bytes inline: refused, C ignored, nothing kept
      const honest = await c.call('cachePut', { key: 'inline-honest', value: 'what was signed' })
      await c.call('cacheForge', { cid: honest, size: 'what was signed'.length, forgedCid: honest, inline: true })
      expect(await b.call('cacheGet', { key: 'swapped', timeoutMs: 3000 })).toBeNull()
      expect(await b.call('cacheIgnored', {})).toContain(c.peerId)
      expect((await b.call('cacheList', {})).map(e => e.key)).not.toContain('swapped')
    } finally {
      await c.stop()
    }
  }, 60_000)
})
