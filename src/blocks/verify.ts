/** Hashing a block against the multihash its CID names. */
import { hash, webcrypto } from 'node:crypto'
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

/** WebCrypto's names for the sha2 codes: its digest runs on the libuv thread pool, not the event loop. */
const SUBTLE_HASHES = new Map<number, string>([[SHA2_256, 'SHA-256'], [SHA2_512, 'SHA-512']])

/**
 * `verifyBlock` with sha2 hashing done off the event loop (WebCrypto's digest runs on the thread
 * pool), so a reader parsing a network stream goes on receiving while its blocks hash (the cold
 * tier's reads: sha256 was 18 % of the reading thread's time in a profile of a 256 MiB cold read).
 * Other hash functions hash here, as `verifyBlock` does.
 */
export async function verifyBlockOffThread (cid: CID, bytes: Uint8Array): Promise<boolean> {
  const { code, digest } = cid.multihash
  const algorithm = SUBTLE_HASHES.get(code)
  if (algorithm == null || digest.length < MIN_DIGEST_BYTES || digest.length > MAX_DIGEST_BYTES) return verifyBlock(cid, bytes)
  const actual = new Uint8Array(await webcrypto.subtle.digest(algorithm, bytes))
  return actual.length >= digest.length && equals(actual.subarray(0, digest.length), digest)
}

function digestOf (code: number, bytes: Uint8Array, length: number): Uint8Array | undefined {
  const algorithm = NODE_HASHES.get(code)
  // one-shot: no Hash object per block
  if (algorithm != null) return hash(algorithm, bytes, 'buffer')
  // blake3 is an XOF: a digest of any length is the prefix of its output stream
  if (code === BLAKE3) return blake3(bytes, { dkLen: length })
  return undefined
}
