/** BusyThrottle: the BUSY answers a peer gets are counted per window; past the limit it cools down. */
import { describe, expect, it } from 'vitest'
import { BusyThrottle } from '../../src/transfer/busy-throttle.ts'

function throttle (tracked = 100): { t: BusyThrottle, clock: { now: number } } {
  const clock = { now: 0 }
  return { t: new BusyThrottle({ limit: 5, windowMs: 1000, coolDownMs: 3000, tracked, now: () => clock.now }), clock }
}

describe('BusyThrottle', () => {
  it('throttles a peer refused more than the limit within one window, for the cool-down only', () => {
    const { t, clock } = throttle()
    for (let i = 0; i < 5; i++) expect(t.refused('a')).toBe(false)
    expect(t.throttled('a')).toBe(false)
    expect(t.refused('a')).toBe(true)
    expect(t.throttled('a')).toBe(true)
    expect(t.throttled('b')).toBe(false)
    clock.now = 2999
    expect(t.throttled('a')).toBe(true)
    clock.now = 3000
    expect(t.throttled('a')).toBe(false)
  })

  it('does not throttle a peer refused at a backed-off pace', () => {
    const { t, clock } = throttle()
    for (let i = 0; i < 50; i++) {
      clock.now = i * 250 // four a window
      expect(t.refused('a')).toBe(false)
    }
    expect(t.throttled('a')).toBe(false)
  })

  it('remembers at most `tracked` peers, forgetting the least recently refused', () => {
    const { t } = throttle(10)
    for (let i = 0; i < 1000; i++) t.refused(`p${i}`)
    expect(t.size()).toBe(10)
    for (let i = 0; i < 6; i++) t.refused('p999')
    expect(t.throttled('p999')).toBe(true)
  })
})
