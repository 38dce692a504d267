/**
 * The slot pacer sizes how many transfers run at once from the time each takes per MiB (the
 * server's requests answered, a session's requests in flight): it grows while blocks are fast and the limit is in use, shrinks when even
 * the fastest recent block is slower than the target, and one slow reader among fast ones does not
 * shrink it.
 */
import { describe, expect, it } from 'vitest'
import { TRANSFER_SERVE_INITIAL_SLOTS, TRANSFER_SERVE_MIN_SLOTS, TRANSFER_SERVE_SAMPLES, TRANSFER_SERVE_STALLED_FACTOR, TRANSFER_SERVE_TARGET_MS_PER_MIB } from '../../src/constants.ts'
import { SlotPacer } from '../../src/transfer/slot-pacer.ts'
import type { SlotPacerInit } from '../../src/transfer/slot-pacer.ts'

const MiB = 1024 * 1024
const target = TRANSFER_SERVE_TARGET_MS_PER_MIB
/** The server's pacer (its defaults), with `init` over them. */
const UplinkPacer = class extends SlotPacer {
  constructor (init: Partial<SlotPacerInit> & { max: number }) {
    super({ initial: TRANSFER_SERVE_INITIAL_SLOTS, min: TRANSFER_SERVE_MIN_SLOTS, targetMsPerMiB: target, samples: TRANSFER_SERVE_SAMPLES, stalledFactor: TRANSFER_SERVE_STALLED_FACTOR, ...init })
  }
}

describe('slot pacer (the server\'s settings)', () => {
  it('starts at the initial limit and grows by one per fast block while the limit is in use', () => {
    const pacer = new UplinkPacer({ max: 64 })
    expect(pacer.limit()).toBe(TRANSFER_SERVE_INITIAL_SLOTS)
    pacer.measured(10, MiB, TRANSFER_SERVE_INITIAL_SLOTS - 1) // fast, but a slot was free: no need to grow
    expect(pacer.limit()).toBe(TRANSFER_SERVE_INITIAL_SLOTS)
    for (let i = 0; i < 10; i++) pacer.measured(10, MiB, pacer.limit())
    expect(pacer.limit()).toBe(TRANSFER_SERVE_INITIAL_SLOTS + 10)
    for (let i = 0; i < 100; i++) pacer.measured(10, MiB, pacer.limit())
    expect(pacer.limit()).toBe(64)
  })

  it('cuts a third when the fastest recent blocks are slower than the target, at most once per target interval', () => {
    const pacer = new UplinkPacer({ max: 64, initial: 30 })
    let now = 1_000_000
    for (let i = 0; i < TRANSFER_SERVE_SAMPLES - 1; i++) pacer.measured(3 * target, MiB, 30, now)
    expect(pacer.limit()).toBe(30) // too few samples yet
    pacer.measured(3 * target, MiB, 30, now)
    expect(pacer.limit()).toBe(20)
    for (let i = 0; i < TRANSFER_SERVE_SAMPLES; i++) pacer.measured(3 * target, MiB, 20, now + 1)
    expect(pacer.limit()).toBe(20) // within the same interval
    now += target
    for (let i = 0; i < TRANSFER_SERVE_SAMPLES; i++) pacer.measured(3 * target, MiB, 20, now)
    expect(pacer.limit()).toBe(13)
    for (let i = 0; i < 20; i++) {
      now += target
      for (let j = 0; j < TRANSFER_SERVE_SAMPLES; j++) pacer.measured(3 * target, MiB, 20, now)
    }
    expect(pacer.limit()).toBe(TRANSFER_SERVE_MIN_SLOTS)
  })

  it('is not cut by one slow reader among fast ones, and holds between half the target and the target', () => {
    const pacer = new UplinkPacer({ max: 64, initial: 10 })
    let now = 1_000_000
    for (let i = 0; i < 50; i++) {
      now += target
      pacer.measured(60_000, MiB, 10, now) // a stream that reads a trickle
      pacer.measured(0.75 * target, MiB, 10, now) // the others: within the target, not fast
    }
    expect(pacer.limit()).toBe(10)
  })

  it('counts a small block as a quarter MiB (its time is fixed costs, not bytes)', () => {
    const pacer = new UplinkPacer({ max: 64, initial: 4 })
    const now = 1_000_000
    // 100 bytes in 0.75 × target / 4 ms: 0.75 × target per MiB counted: neither fast nor slow
    for (let i = 0; i < 10; i++) pacer.measured(0.75 * target / 4, 100, 4, now)
    expect(pacer.limit()).toBe(4)
  })

  it('calls a block stalled past a multiple of the slower of the target and the fastest recent block', () => {
    const pacer = new UplinkPacer({ max: 64 })
    expect(pacer.stalledAfterMs()).toBe(TRANSFER_SERVE_STALLED_FACTOR * target)
    for (let i = 0; i < TRANSFER_SERVE_SAMPLES; i++) pacer.measured(1.5 * target, MiB, 1, 1_000_000)
    expect(pacer.stalledAfterMs()).toBe(TRANSFER_SERVE_STALLED_FACTOR * 1.5 * target)
  })

  it('never starts above the hard limit', () => {
    expect(new UplinkPacer({ max: 1 }).limit()).toBe(1)
  })
})
