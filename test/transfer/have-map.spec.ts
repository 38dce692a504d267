import { describe, expect, it } from 'vitest'
import { TRANSFER_HAVE_FRESH_MS } from '../../src/constants.ts'
import { HaveMap } from '../../src/transfer/have-map.ts'

describe('have-map', () => {
  it('records who announced what, and forgets a have the peer then answered MISSING for', () => {
    const haves = new HaveMap()
    haves.record('A', ['x', 'y'])
    haves.record('B', ['y'])
    expect([...haves.holders('y')].sort()).toEqual(['A', 'B'])
    expect(haves.has('A', 'x')).toBe(true)
    expect(haves.has('B', 'x')).toBe(false)
    haves.forget('A', 'y')
    expect([...haves.holders('y')]).toEqual(['B'])
    expect(haves.size()).toEqual({ blocks: 2, peers: 2 })
    haves.dropPeer('B')
    expect(haves.holders('y').size).toBe(0)
    expect(haves.size()).toEqual({ blocks: 1, peers: 1 })
  })

  it('says a peer is fetching while it announces (a hello with no blocks included), and not after TRANSFER_HAVE_FRESH_MS', () => {
    let now = 0
    const haves = new HaveMap({}, () => now)
    expect(haves.fetching('A')).toBe(false)
    haves.record('A', [])
    expect(haves.fetching('A')).toBe(true)
    now = TRANSFER_HAVE_FRESH_MS
    expect(haves.fetching('A')).toBe(false)
  })

  it('stays bounded: per peer (oldest first), in all (the peer holding the most loses first), and in peers (least recently heard)', () => {
    const haves = new HaveMap({ peers: 2, perPeer: 3, total: 5 })
    haves.record('A', ['a1', 'a2', 'a3', 'a4'])
    expect(haves.blocksOf('A')).toEqual(['a2', 'a3', 'a4'])
    haves.record('B', ['b1', 'b2', 'b3'])
    // 6 > 5: the peer holding the most (a tie: the first found, A) loses its oldest
    expect(haves.size().blocks).toBe(5)
    expect(haves.blocksOf('A')).toEqual(['a3', 'a4'])
    haves.record('C', ['c1'])
    // 3 peers > 2: A, the least recently heard, is forgotten whole
    expect(haves.blocksOf('A')).toEqual([])
    expect(haves.holders('a3').size).toBe(0)
    expect(haves.size()).toEqual({ blocks: 4, peers: 2 })
  })
})
