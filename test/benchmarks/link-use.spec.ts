import { describe, expect, it } from 'vitest'
import { linkUse } from '../../benchmarks/lib/link-use.ts'

describe('bench:fanout link use', () => {
  it('splits the uplink use of a run into its ramp, middle half and tail', () => {
    // 8 s at 100 bytes/s capacity: idle for 2 s, full for 4 s, half for 2 s
    const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(s => ({ at: s * 1000, bytes: s <= 2 ? 0 : s <= 6 ? (s - 2) * 100 : 400 + (s - 6) * 50 }))
    const use = linkUse(samples, 100)
    expect(use.ramp).toBeCloseTo(0)
    expect(use.middle).toBeCloseTo(1)
    expect(use.tail).toBeCloseTo(0.5)
    expect(use.whole).toBeCloseTo(500 / 800)
  })

  it('counts bytes between two samples evenly over their interval when a phase splits it', () => {
    // one interval of 4 s carrying 400 bytes at 100 bytes/s capacity: every phase fully used
    const use = linkUse([{ at: 0, bytes: 0 }, { at: 4000, bytes: 400 }], 100)
    expect([use.ramp, use.middle, use.tail, use.whole].map(u => Math.round(u * 100))).toEqual([100, 100, 100, 100])
  })

  it('reports nothing for a run too short to measure', () => {
    expect(linkUse([{ at: 5, bytes: 10 }], 100).whole).toBeNaN()
  })
})
