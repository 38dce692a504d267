/**
 * The downlink: a node's requests in flight, all sessions together, under the pacer's limit; a
 * request that received nothing says nothing about the link.
 */
import { describe, expect, it } from 'vitest'
import { TRANSFER_FETCH_INITIAL_REQUESTS, TRANSFER_FETCH_MIN_REQUESTS, TRANSFER_FETCH_SAMPLES, TRANSFER_FETCH_TARGET_MS_PER_MIB } from '../../src/constants.ts'
import { Downlink } from '../../src/transfer/downlink.ts'

const MiB = 1024 * 1024

describe('downlink', () => {
  it('has room until the limit is in flight, and again when one ends', () => {
    const downlink = new Downlink()
    for (let i = 0; i < TRANSFER_FETCH_INITIAL_REQUESTS; i++) {
      expect(downlink.hasRoom()).toBe(true)
      downlink.started()
    }
    expect(downlink.hasRoom()).toBe(false)
    downlink.ended(5_000, 0) // BUSY or ELSEWHERE: no sample
    expect(downlink.hasRoom()).toBe(true)
    expect(downlink.limit()).toBe(TRANSFER_FETCH_INITIAL_REQUESTS)
  })

  it('widens on fast answers while full and narrows when every recent answer is slow', () => {
    const downlink = new Downlink()
    for (let i = 0; i < TRANSFER_FETCH_INITIAL_REQUESTS; i++) downlink.started()
    downlink.ended(10, 4 * MiB)
    expect(downlink.limit()).toBe(TRANSFER_FETCH_INITIAL_REQUESTS + 1)
    for (let i = 0; i < TRANSFER_FETCH_SAMPLES; i++) {
      downlink.started()
      downlink.ended(4 * 3 * TRANSFER_FETCH_TARGET_MS_PER_MIB, 4 * MiB)
    }
    expect(downlink.limit()).toBeLessThan(TRANSFER_FETCH_INITIAL_REQUESTS + 1)
    expect(downlink.inFlight()).toBe(TRANSFER_FETCH_INITIAL_REQUESTS - 1)
  })

  it('keeps two requests in flight however slow every answer is: one slow provider never has the downlink to itself', () => {
    const downlink = new Downlink()
    let now = 0
    // a minute of answers at 3× the target per MiB, each past the pacer's once-per-target cut interval
    for (let i = 0; i < 30; i++) {
      downlink.started()
      now += 2 * TRANSFER_FETCH_TARGET_MS_PER_MIB
      downlink.ended(3 * TRANSFER_FETCH_TARGET_MS_PER_MIB, 1 * MiB, now)
    }
    expect(downlink.limit()).toBe(TRANSFER_FETCH_MIN_REQUESTS)
    expect(downlink.limit()).toBeGreaterThanOrEqual(2)
    downlink.started()
    expect(downlink.hasRoom()).toBe(true)
  })
})
