/** The hot tier's 2Q policy: scan resistance, byte bounds, promotion. */
import { describe, expect, it } from 'vitest'
import { HotCache } from '../../src/blocks/index.ts'

const KiB = 1024
const block = (n: number): Uint8Array => new Uint8Array(n)

describe('HotCache (2Q)', () => {
  it('keeps a small file read often while a file 4× the cache size is read once', () => {
    const cache = new HotCache(1024 * KiB)
    const small = ['s1', 's2'] // a 128 KiB file, read three times
    for (let read = 0; read < 3; read++) {
      for (const key of small) if (cache.get(key) == null) cache.admit(key, block(64 * KiB))
    }
    for (let i = 0; i < 64; i++) { // 4 MiB read once
      const key = `scan-${i}`
      if (cache.get(key) == null) cache.admit(key, block(64 * KiB))
    }
    const before = cache.stats().hits
    for (const key of small) expect(cache.get(key)).toBeDefined()
    expect(cache.stats().hits - before).toBe(2)
    expect(cache.stats().bytes).toBeLessThanOrEqual(1024 * KiB)
  })

  it('an LRU would not: the same scan with every block admitted as protected evicts the small file', () => {
    const cache = new HotCache(1024 * KiB)
    for (const key of ['s1', 's2']) cache.admit(key, block(64 * KiB), { protect: true })
    for (let i = 0; i < 64; i++) cache.admit(`scan-${i}`, block(64 * KiB), { protect: true })
    expect(cache.get('s1')).toBeUndefined()
  })

  it('admits a block dropped from probation and read again (its key is a ghost) as protected', () => {
    const cache = new HotCache(400 * KiB) // probation: 100 KiB; ghosts: 200 KiB worth of keys
    cache.admit('a', block(60 * KiB))
    cache.admit('b', block(60 * KiB)) // probation over its share: a, first in, leaves it, remembered
    expect(cache.has('a')).toBe(false)
    cache.admit('a', block(60 * KiB))
    for (let i = 0; i < 20; i++) cache.admit(`scan-${i}`, block(60 * KiB))
    expect(cache.has('a')).toBe(true)
    expect(cache.has('b')).toBe(false)
    expect(cache.stats().bytes).toBeLessThanOrEqual(60 * KiB + 100 * KiB) // a, and probation's share
  })

  it('holds none of a read longer than the probation share (a scan), remembers it, and keeps a second read soon after as protected', () => {
    const cache = new HotCache(1024 * KiB) // probation: 256 KiB
    for (const key of ['s1', 's2']) cache.admit(key, block(64 * KiB)) // a small file read once: in probation
    const scan = 4 * 64 * KiB + 1 // one byte over the probation share
    for (let i = 0; i < 4; i++) cache.admit(`scan-${i}`, block(64 * KiB), { readLength: scan })
    expect(cache.stats()).toMatchObject({ blocks: 2, bytes: 128 * KiB })
    expect(cache.has('s1')).toBe(true)
    // read again while its keys are remembered: held, protected (a third scan does not push it out)
    for (let i = 0; i < 4; i++) cache.admit(`scan-${i}`, block(64 * KiB), { readLength: scan })
    for (let i = 0; i < 16; i++) cache.admit(`other-${i}`, block(64 * KiB), { readLength: 16 * 64 * KiB })
    for (let i = 0; i < 4; i++) expect(cache.has(`scan-${i}`)).toBe(true)
    // a read within the share is admitted as before
    cache.admit('short', block(64 * KiB), { readLength: 4 * 64 * KiB })
    expect(cache.has('short')).toBe(true)
  })

  it('stays within its byte budget and holds nothing with a budget of 0', () => {
    const cache = new HotCache(256 * KiB)
    for (let i = 0; i < 100; i++) {
      cache.admit(`k${i}`, block(40 * KiB), { protect: i % 2 === 0 })
      expect(cache.stats().bytes).toBeLessThanOrEqual(256 * KiB)
    }
    const off = new HotCache(0)
    off.admit('x', block(10))
    expect(off.has('x')).toBe(false)
    expect(off.get('x')).toBeUndefined()
  })
})
