/**
 * The gossip hint index: who announced which key digest. It must stay within
 * its bounds whatever peers send, keep a flooding peer from pushing out the
 * others' hints, and never hand out a hint past its entry's expiry.
 */
import { describe, expect, it } from 'vitest'
import { HintIndex } from '../../src/cache/hints.ts'

const d = (i: number): string => i.toString(16).padStart(64, '0')

describe('HintIndex', () => {
  it('gives the peers that announced a digest, and forgets a peer that answered a miss', () => {
    const hints = new HintIndex()
    hints.add('p1', d(1), null)
    hints.add('p2', d(1), null)
    hints.add('p2', d(2), null)
    expect(hints.peersFor(d(1)).sort()).toEqual(['p1', 'p2'])
    hints.forget('p1', d(1))
    expect(hints.peersFor(d(1))).toEqual(['p2'])
    expect(hints.peersFor(d(3))).toEqual([])
    expect(hints.size).toBe(2)
  })

  it('never gives a hint past its entry\'s expiry or its maximum age', () => {
    const hints = new HintIndex({ maxAgeMs: 1000 })
    const now = 1_000_000
    hints.add('p1', d(1), now + 100, now)
    hints.add('p2', d(1), null, now)
    hints.add('p3', d(1), now - 1, now) // already expired: not kept
    expect(hints.size).toBe(2)
    expect(hints.peersFor(d(1), now + 50).sort()).toEqual(['p1', 'p2'])
    expect(hints.peersFor(d(1), now + 500)).toEqual(['p2'])
    expect(hints.peersFor(d(1), now + 1000)).toEqual([])
    expect(hints.size).toBe(0)
  })

  it('keeps a flooding peer to its own share: its oldest hints go, not the others\'', () => {
    const hints = new HintIndex({ maxHints: 100, maxPerPeer: 60 })
    for (let i = 0; i < 30; i++) hints.add('honest', d(i), null)
    for (let i = 1000; i < 2000; i++) hints.add('flood', d(i), null)
    expect(hints.size).toBeLessThanOrEqual(100)
    for (let i = 0; i < 30; i++) expect(hints.peersFor(d(i))).toEqual(['honest'])
    // the flooder keeps only its newest
    expect(hints.peersFor(d(1999))).toEqual(['flood'])
    expect(hints.peersFor(d(1000))).toEqual([])
  })

  it('drops every hint of a peer caught lying', () => {
    const hints = new HintIndex()
    for (let i = 0; i < 5; i++) hints.add('liar', d(i), null)
    hints.add('honest', d(0), null)
    hints.forgetPeer('liar')
    expect(hints.size).toBe(1)
    expect(hints.peersFor(d(0))).toEqual(['honest'])
  })

  it('moves a re-announced digest to the peer\'s newest, so it outlives older ones', () => {
    const hints = new HintIndex({ maxPerPeer: 3 })
    hints.add('p', d(1), null)
    hints.add('p', d(2), null)
    hints.add('p', d(3), null)
    hints.add('p', d(1), null)
    hints.add('p', d(4), null)
    expect(hints.peersFor(d(2))).toEqual([])
    expect(hints.peersFor(d(1))).toEqual(['p'])
    expect(hints.size).toBe(3)
  })
})
