/** Hashing a block against the multihash its CID names. */
import { hash } from 'node:crypto'
import { blake3 } from '@noble/hashes/blake3.js'
import { equals } from 'uint8arrays/equals'
import { BLAKE3, IDENTITY, MAX_DIGEST_BYTES, MIN_DIGEST_BYTES, SHA2_256, SHA2_512 } from './cid-policy.ts'
import type { CID } from 'multiformats/cid'

export const IDENTITY_CODE = IDENTITY

/** Node's native (OpenSSL, SHA-NI where the CPU has it) hashes for the sha2 multihash codes. */
const NODE_HASHES = new Map<number, string>([[SHA2_256, 'sha256'], [SHA2_512, 'sha512']])

/**
 * True when `bytes` hash to the digest in `cid`. Hash functions and digest
 * sizes outside the CID policy are reported as not verifiable (false)
 * rather than trusted.
 */
export function verifyBlock (cid: CID, bytes: Uint8Array): boolean {
  const { code, digest } = cid.multihash
  if (code === IDENTITY) return equals(digest, bytes)
  if (digest.length < MIN_DIGEST_BYTES || digest.length > MAX_DIGEST_BYTES) return false
  const actual = digestOf(code, bytes, digest.length)
  return actual != null && actual.length >= digest.length && equals(actual.subarray(0, digest.length), digest)
}

function digestOf (code: number, bytes: Uint8Array, length: number): Uint8Array | undefined {
  const algorithm = NODE_HASHES.get(code)
  // one-shot: no Hash object per block
  if (algorithm != null) return hash(algorithm, bytes, 'buffer')
  // blake3 is an XOF: a digest of any length is the prefix of its output stream
  if (code === BLAKE3) return blake3(bytes, { dkLen: length })
  return undefined
}
