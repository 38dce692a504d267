/** Have frames (transfer 1.1.0): cannot be mistaken for a 1.0.0 request, and bounded. */
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { TRANSFER_HAVE_BATCH } from '../../src/constants.ts'
import { decodeHaves, decodeRequest, encodeHaves, encodeRequest, isHaveFrame } from '../../src/transfer/wire.ts'

const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts))

describe('have frames', () => {
  it('round-trip, a hello (no CIDs) included', async () => {
    const cid = CID.createV1(0x55, await sha256.digest(new Uint8Array([1])))
    expect(decodeHaves(concat(encodeHaves([cid, cid]))).map(c => c.toString())).toEqual([cid.toString(), cid.toString()])
    expect(decodeHaves(concat(encodeHaves([])))).toEqual([])
  })

  it('are never a request, and a request is never one: a 1.0.0 server refuses them as malformed', async () => {
    const cid = CID.createV1(0x55, await sha256.digest(new Uint8Array([2])))
    const have = concat(encodeHaves([cid]))
    expect(isHaveFrame(have)).toBe(true)
    expect(() => decodeRequest(have)).toThrow(/truncated/)
    expect(isHaveFrame(encodeRequest([cid]))).toBe(false)
  })

  it('carry at most TRANSFER_HAVE_BATCH CIDs', async () => {
    const cid = CID.createV1(0x55, await sha256.digest(new Uint8Array([3])))
    const many = Array<CID>(TRANSFER_HAVE_BATCH + 1).fill(cid)
    expect(() => encodeHaves(many)).toThrow(/more than/)
    const forged = concat([new Uint8Array([0, 1]), encodeRequest(many)])
    expect(() => decodeHaves(forged)).toThrow(/more than 256/)
  })
})
