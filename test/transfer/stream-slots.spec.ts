/**
 * The transfer server's slots: a hard limit with fair-share preemption, and under it the paced
 * limit, where a peer served nothing gets an optimistic slot, then a stalled stream's slot, and is
 * otherwise busy.
 */
import { describe, expect, it } from 'vitest'
import { TRANSFER_SERVE_OPTIMISTIC_SLOTS } from '../../src/constants.ts'
import { StreamSlots } from '../../src/transfer/stream-slots.ts'
import type { Slot } from '../../src/transfer/stream-slots.ts'

describe('stream slots', () => {
  it('caps one peer at its per-peer limit', () => {
    const slots = new StreamSlots(2, 10)
    expect(slots.acquire('a')).toBeDefined()
    expect(slots.acquire('a')).toBeDefined()
    expect(slots.acquire('a')).toBeUndefined()
    expect(slots.active().get('a')).toBe(2)
  })

  it('at the hard limit, a peer under its fair share takes the oldest slot of the greediest peer', () => {
    const slots = new StreamSlots(8, 4)
    const a = [0, 1, 2, 3].map(() => slots.acquire('a') as Slot)
    const b = slots.acquire('b')
    expect(b).toBeDefined()
    expect(a[0]?.signal.aborted).toBe(true)
    expect(slots.active().get('a')).toBe(3)
    // fair share is now 2 each: a holds 3, b 1; c (holding nothing) takes a's oldest remaining
    expect(slots.acquire('c')).toBeDefined()
    expect(a[1]?.signal.aborted).toBe(true)
    expect(slots.acquire('b')).toBeUndefined() // b at 1 = its share (4 / 3 peers)
  })

  it('at the paced limit: peers already served are busy, a new one gets the optimistic slot, then busy', () => {
    const slots = new StreamSlots(8, 64)
    expect(slots.acquire('a', { paced: 2 })).toBeDefined()
    expect(slots.acquire('a', { paced: 2 })).toBeDefined()
    expect(slots.acquire('a', { paced: 2 })).toBeUndefined()
    for (let i = 0; i < TRANSFER_SERVE_OPTIMISTIC_SLOTS; i++) expect(slots.acquire(`new-${i}`, { paced: 2 })).toBeDefined()
    expect(slots.acquire('late', { paced: 2, stalledAfterMs: 1000, now: 0 })).toBeUndefined()
    expect(slots.serving()).toBe(2 + TRANSFER_SERVE_OPTIMISTIC_SLOTS)
  })

  it('past the optimistic slots, a new peer takes the slot of the stream stalled longest', () => {
    const slots = new StreamSlots(8, 64)
    const a = slots.acquire('a', { paced: 1 }) as Slot
    const b = slots.acquire('b', { paced: 1 }) as Slot
    expect(slots.serving()).toBe(1 + TRANSFER_SERVE_OPTIMISTIC_SLOTS)
    a.sendingSince = 1000
    b.sendingSince = 500
    // nothing stalled yet at 1400 (b's block has gone out for 900 ms)
    expect(slots.acquire('c', { paced: 1, stalledAfterMs: 1000, now: 1400 })).toBeUndefined()
    const c = slots.acquire('c', { paced: 1, stalledAfterMs: 1000, now: 1600 })
    expect(c).toBeDefined()
    expect(b.signal.aborted).toBe(true)
    expect(a.signal.aborted).toBe(false)
    expect(slots.active().has('b')).toBe(false)
  })

  it('a slot between blocks is never stalled', () => {
    const slots = new StreamSlots(8, 64)
    slots.acquire('a', { paced: 1 })
    slots.acquire('b', { paced: 1 })
    expect(slots.acquire('c', { paced: 1, stalledAfterMs: 0, now: 1e12 })).toBeUndefined()
  })
})
