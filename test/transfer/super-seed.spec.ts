import { describe, expect, it } from 'vitest'
import { TRANSFER_SUPERSEED_MS } from '../../src/constants.ts'
import { SuperSeed } from '../../src/transfer/super-seed.ts'

describe('super-seeding', () => {
  it('sends a second asker to the peer that just got the block, once, then serves it', () => {
    const seed = new SuperSeed()
    expect(seed.elsewhere('block', 'A', 0)).toBeUndefined() // nobody has it yet
    seed.sent('block', 'A', 0)
    expect(seed.elsewhere('block', 'A', 10)).toBeUndefined() // the same peer asking again is served
    expect(seed.elsewhere('block', 'B', 10)).toBe('A')
    expect(seed.elsewhere('block', 'B', 20)).toBeUndefined() // asked again: served
    expect(seed.elsewhere('block', 'C', 30)).toBe('A')
  })

  it('serves everyone once the last send is older than the window', () => {
    const seed = new SuperSeed()
    seed.sent('block', 'A', 0)
    expect(seed.elsewhere('block', 'B', TRANSFER_SUPERSEED_MS + 1)).toBeUndefined()
  })

  it('points at the latest recipient', () => {
    const seed = new SuperSeed()
    seed.sent('block', 'A', 0)
    seed.sent('block', 'B', 5)
    expect(seed.elsewhere('block', 'C', 6)).toBe('B')
  })

  it('sends an asker to a peer that announced the block (have-maps), once, then serves it', () => {
    const seed = new SuperSeed()
    expect(seed.elsewhere('block', 'B', 0, 'A')).toBe('A')
    expect(seed.elsewhere('block', 'B', 1, 'A')).toBeUndefined()
    // the announcer itself asking is served
    expect(seed.elsewhere('other', 'A', 2, 'A')).toBeUndefined()
  })
})
