/** Where replicas go (spread across node.tags values, by free space within that) and how many (hot, cold). */
import { describe, expect, it } from 'vitest'
import { SEEDING_COLD_SCORE, SEEDING_HOT_SCORE } from '../../src/constants.ts'
import { allocate, chooseDrops, targetHolders } from '../../src/seeding/replication/allocate.ts'
import { preheatTargets } from '../../src/seeding/replication/preheat.ts'
import type { Candidate } from '../../src/seeding/replication/allocate.ts'
import type { Member } from '../../src/seeding/replication/members.ts'

const GB = 1e9
const node = (peerId: string, zone: string, free: number, rack?: string): Candidate => ({ peerId, free, tags: rack == null ? { zone } : { zone, rack } })

describe('allocation', () => {
  it('spreads holders across zones before filling one, by free space within a zone', () => {
    const origin = node('o', 'a', 5 * GB)
    // zone a has the most free space by far: free space alone would pick a1 and a2
    const candidates = [node('a1', 'a', 90 * GB), node('a2', 'a', 80 * GB), node('b1', 'b', 10 * GB), node('b2', 'b', 20 * GB), node('c1', 'c', 1 * GB)]
    expect(allocate(candidates, [origin], 2).map(c => c.peerId)).toEqual(['b2', 'c1'])
    // a fourth holder: every zone has one, so the most free space (zone a's a1)
    expect(allocate(candidates, [origin], 3).map(c => c.peerId)).toEqual(['b2', 'c1', 'a1'])
    // no tags anywhere: by free space alone
    const plain = candidates.map(c => ({ ...c, tags: {} }))
    expect(allocate(plain, [{ ...origin, tags: {} }], 2).map(c => c.peerId)).toEqual(['a1', 'a2'])
    // two tag keys: a candidate sharing neither zone nor rack wins over one sharing the rack
    const racks = [node('x', 'b', 50 * GB, 'r1'), node('y', 'b', 10 * GB, 'r2')]
    expect(allocate(racks, [node('o', 'a', 1, 'r1')], 1).map(c => c.peerId)).toEqual(['y'])
  })

  it('drops extras where their zone is crowded, never one it must keep', () => {
    const holders = [node('o', 'a', 1 * GB), node('a1', 'a', 50 * GB), node('b1', 'b', 2 * GB), node('c1', 'c', 3 * GB)]
    expect(chooseDrops(holders, new Set(['o']), 1).map(c => c.peerId)).toEqual(['a1'])
    expect(chooseDrops(holders, new Set(['o', 'a1']), 1).map(c => c.peerId)).toEqual(['b1']) // least free among the rest
    expect(chooseDrops(holders, new Set(['o', 'a1', 'b1', 'c1']), 2)).toEqual([])
  })

  it('keeps hot roots on max, lowers cold ones to min, leaves the rest where they are', () => {
    const spec = { min: 2, max: 5 }
    expect(targetHolders(spec, 2, SEEDING_HOT_SCORE)).toBe(5)
    expect(targetHolders(spec, 5, SEEDING_COLD_SCORE / 2)).toBe(2)
    expect(targetHolders(spec, 3, (SEEDING_HOT_SCORE + SEEDING_COLD_SCORE) / 2)).toBe(3)
    expect(targetHolders(spec, 1, (SEEDING_HOT_SCORE + SEEDING_COLD_SCORE) / 2)).toBe(2) // never under min
    expect(targetHolders({ min: 3, max: 3 }, 0, 0)).toBe(3)
  })

  it('preheats only members with every tag asked, most free space first', () => {
    const member = (peerId: string, tags: Record<string, string>, free: number): Member => ({ peerId, tags, free, lastSeen: 0, specs: new Map(), scores: {} })
    const live = [member('p', { zone: 'a' }, 1), member('q', { zone: 'b' }, 9), member('r', { zone: 'a', gpu: 'h100' }, 5)]
    expect(preheatTargets(live, { count: 'all', tags: { zone: 'a' } }).map(m => m.peerId)).toEqual(['r', 'p'])
    expect(preheatTargets(live, { count: 1, tags: { zone: 'a' } }).map(m => m.peerId)).toEqual(['r'])
    expect(preheatTargets(live, { count: 'all', tags: { zone: 'a', gpu: 'h100' } }).map(m => m.peerId)).toEqual(['r'])
    expect(preheatTargets(live, { count: 2 }).map(m => m.peerId)).toEqual(['q', 'r'])
  })
})
