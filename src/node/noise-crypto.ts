/**
 * Noise's crypto with each session key imported once. @libp2p/noise's node
 * implementation passes the raw 32-byte key to `createCipheriv` for every
 * frame, and node imports it again each time (a KeyObject per frame: ~35 µs,
 * as much as encrypting 16 KiB on this VM; benchmarks/cpu-probe.ts). A
 * CipherState keeps one key array for its life, so the KeyObject is cached
 * per array (WeakMap: it goes with the connection). Small frames keep the
 * WebAssembly path noise picks for them; everything else is noise's own.
 */
import crypto from 'node:crypto'
import { defaultCrypto } from '@libp2p/noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import type { ICryptoInterface } from '@libp2p/noise'

const CHACHA = 'chacha20-poly1305'
const TAG = 16
/** Below this noise's own choice (WebAssembly) is faster; its constant. */
const SMALL = 1200

const keys = new WeakMap<Uint8Array, crypto.KeyObject>()
const keyOf = (k: Uint8Array): crypto.KeyObject => {
  let key = keys.get(k)
  if (key == null) {
    key = crypto.createSecretKey(k)
    keys.set(k, key)
  }
  return key
}

const encrypt: ICryptoInterface['chaCha20Poly1305Encrypt'] = (plaintext, nonce, ad, k) => {
  if (plaintext.byteLength < SMALL) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
  const cipher = crypto.createCipheriv(CHACHA, keyOf(k), nonce, { authTagLength: TAG })
  cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
  const out = new Uint8ArrayList()
  for (const part of plaintext instanceof Uint8Array ? [plaintext] : plaintext) out.append(cipher.update(part))
  const final = cipher.final()
  if (final.byteLength > 0) out.append(final)
  out.append(cipher.getAuthTag())
  return plaintext instanceof Uint8Array ? out.subarray() : out
}

const decrypt: ICryptoInterface['chaCha20Poly1305Decrypt'] = (ciphertext, nonce, ad, k, dst) => {
  if (ciphertext.byteLength < SMALL) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
  const decipher = crypto.createDecipheriv(CHACHA, keyOf(k), nonce, { authTagLength: TAG })
  const text = ciphertext instanceof Uint8Array ? ciphertext.subarray(0, ciphertext.byteLength - TAG) : ciphertext.sublist(0, ciphertext.byteLength - TAG)
  decipher.setAAD(ad, { plaintextLength: text.byteLength })
  decipher.setAuthTag(ciphertext.subarray(ciphertext.byteLength - TAG))
  if (text instanceof Uint8Array) {
    const output = decipher.update(text)
    const final = decipher.final()
    return final.byteLength > 0 ? Buffer.concat([output, final]) : output
  }
  const out = new Uint8ArrayList()
  for (const part of text) out.append(decipher.update(part))
  const final = decipher.final()
  if (final.byteLength > 0) out.append(final)
  return out
}

export const noiseCrypto: ICryptoInterface = { ...defaultCrypto, chaCha20Poly1305Encrypt: encrypt, chaCha20Poly1305Decrypt: decrypt }
