import crypto from 'node:crypto'
import { defaultCrypto } from '@libp2p/noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { noiseCrypto } from '../../src/node/noise-crypto.ts'

const bytes = (list: Uint8Array | Uint8ArrayList): Uint8Array => list instanceof Uint8Array ? list : list.subarray()

describe('noise crypto with cached session keys', () => {
  const k = crypto.randomBytes(32)
  const ad = crypto.randomBytes(8)
  const nonce = (n: number): Uint8Array => { const b = new Uint8Array(12); new DataView(b.buffer).setUint32(4, n, true); return b }

  it.each([0, 100, 1199, 1200, 16_384, 65_519])('agrees with noise\'s own implementation both ways (%i bytes)', size => {
    for (let n = 0; n < 3; n++) {
      const plain = crypto.randomBytes(size)
      const ours = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce(n), ad, k))
      const theirs = bytes(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce(n), ad, k))
      expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true)
      expect(Buffer.from(bytes(noiseCrypto.chaCha20Poly1305Decrypt(theirs, nonce(n), ad, k))).equals(plain)).toBe(true)
    }
  })

  it('takes and gives lists of chunks', () => {
    const plain = crypto.randomBytes(40_000)
    const sealed = noiseCrypto.chaCha20Poly1305Encrypt(new Uint8ArrayList(plain.subarray(0, 10_000), plain.subarray(10_000)), nonce(7), ad, k)
    expect(sealed).toBeInstanceOf(Uint8ArrayList)
    const list = new Uint8ArrayList(...(sealed as Uint8ArrayList))
    const opened = noiseCrypto.chaCha20Poly1305Decrypt(list, nonce(7), ad, k)
    expect(Buffer.from(bytes(opened)).equals(plain)).toBe(true)
  })

  it('refuses a tampered frame, a wrong nonce and another key', () => {
    const plain = crypto.randomBytes(20_000)
    const sealed = Buffer.from(bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce(1), ad, k)))
    const flipped = Buffer.from(sealed)
    flipped[500] = (flipped[500] as number) ^ 1
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(flipped, nonce(1), ad, k)).toThrow(/unable to authenticate/i)
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce(2), ad, k)).toThrow(/unable to authenticate/i)
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce(1), ad, crypto.randomBytes(32))).toThrow(/unable to authenticate/i)
  })
})
