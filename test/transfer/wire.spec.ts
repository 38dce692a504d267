import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import { describe, expect, it } from 'vitest'
import { TRANSFER_MAX_BLOCKS_PER_REQUEST } from '../../src/constants.ts'
import { decodeRequest, encodeRequest } from '../../src/transfer/index.ts'

const cidOf = async (text: string): Promise<CID> => CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text)))

describe('transfer wire format', () => {
  it('round-trips a request of CIDs, v0 and v1, in order', async () => {
    const v1 = await cidOf('a')
    const v0 = CID.createV0(await sha256.digest(new TextEncoder().encode('b')))
    const cids = [v1, v0, await cidOf('c')]
    expect(decodeRequest(encodeRequest(cids)).map(String)).toEqual(cids.map(String))
    expect(decodeRequest(encodeRequest([]))).toEqual([])
  })

  it('refuses a request naming more CIDs than the limit', async () => {
    const cid = await cidOf('x')
    expect(decodeRequest(encodeRequest(Array(TRANSFER_MAX_BLOCKS_PER_REQUEST).fill(cid)))).toHaveLength(TRANSFER_MAX_BLOCKS_PER_REQUEST)
    expect(() => decodeRequest(encodeRequest(Array(TRANSFER_MAX_BLOCKS_PER_REQUEST + 1).fill(cid)))).toThrow(/more than/)
  })

  it('refuses truncated and malformed requests', async () => {
    const bytes = encodeRequest([await cidOf('y')])
    expect(() => decodeRequest(bytes.subarray(0, bytes.byteLength - 3))).toThrow(/truncated/)
    expect(() => decodeRequest(new Uint8Array([0]))).toThrow(/truncated/)
    // a length that fits but bytes that are no CID: the CID decoder's own error
    expect(() => decodeRequest(new Uint8Array([3, 1, 2, 3]))).toThrow(RangeError)
  })
})
