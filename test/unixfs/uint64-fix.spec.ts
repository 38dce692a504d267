import { UnixFS } from 'ipfs-unixfs'
import { describe, expect, it } from 'vitest'
import '../../src/unixfs/uint64-fix.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('UnixFS sizes of 2–4 GiB (protons-runtime uint64 work-around)', () => {
  it('encodes a 2 GiB file size as the varint 80 80 80 80 08, as Kubo does', () => {
    const node = new UnixFS({ type: 'file', blockSizes: [2n ** 30n, 2n ** 30n] })
    // type=file, filesize=2^31, blocksizes 2^30 ×2
    expect(hex(node.marshal())).toBe('0802' + '188080808008' + '208080808004' + '208080808004')
  })

  it.each([2n ** 31n - 1n, 2n ** 31n, 3n * 2n ** 30n + 7n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 40n + 3n])('round-trips a file size of %s bytes', size => {
    const node = new UnixFS({ type: 'file', blockSizes: [size] })
    const decoded = UnixFS.unmarshal(node.marshal())
    expect(decoded.fileSize()).toBe(size)
    expect(decoded.blockSizes).toEqual([size])
  })
})
