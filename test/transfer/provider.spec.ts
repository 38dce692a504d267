import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { TRANSFER_RETRY_DROPPED_MS, TRANSFER_STEAL_AFTER_MS, TRANSFER_STEAL_SLOWER } from '../../src/constants.ts'
import { Provider } from '../../src/transfer/provider.ts'

const PEER = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')

describe('transfer provider', () => {
  it('is raced for a block in flight after TRANSFER_STEAL_AFTER_MS while its answers are fast', () => {
    const p = new Provider(PEER)
    expect(p.stealAfterMs()).toBe(TRANSFER_STEAL_AFTER_MS)
    p.answered(200, 4)
    expect(p.stealAfterMs()).toBe(TRANSFER_STEAL_AFTER_MS)
  })

  it('on a slow link, only after TRANSFER_STEAL_SLOWER times its usual answer time (a moving average)', () => {
    const p = new Provider(PEER)
    p.answered(6000, 4)
    expect(p.stealAfterMs()).toBe(TRANSFER_STEAL_SLOWER * 6000)
    p.answered(1000, 4)
    expect(p.requestMs).toBeCloseTo(0.8 * 6000 + 0.2 * 1000)
    // a request that brought nothing (all MISSING) says nothing about its speed
    p.answered(60_000, 0)
    expect(p.requestMs).toBeCloseTo(5000)
  })

  it('one found not to speak our protocols is tried again after TRANSFER_RETRY_DROPPED_MS (its identify may predate its transfer server)', () => {
    const p = new Provider(PEER)
    expect(p.usable(0, TRANSFER_RETRY_DROPPED_MS)).toBe(true)
    p.incapable(1_000)
    expect(p.capable).toBe(false)
    expect(p.usable(1_000 + TRANSFER_RETRY_DROPPED_MS - 1, TRANSFER_RETRY_DROPPED_MS)).toBe(false)
    expect(p.usable(1_000 + TRANSFER_RETRY_DROPPED_MS, TRANSFER_RETRY_DROPPED_MS)).toBe(true)
    expect(p.capable).toBeUndefined() // the next ask decides
  })
})
