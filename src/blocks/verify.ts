/** Hashing a block against the multihash its CID names. */
import { createHash } from 'node:crypto'
import { equals } from 'uint8arrays/equals'
import type { CID } from 'multiformats/cid'

export const IDENTITY_CODE = 0x00
const SHA2_256 = 0x12
const SHA2_512 = 0x13
/** Shorter digests are too weak to trust as an address. */
const MIN_DIGEST_BYTES = 20

/** Node's native hashes for the multihash codes we accept on disk and from peers. */
const NODE_HASHES = new Map<number, string>([[SHA2_256, 'sha256'], [SHA2_512, 'sha512']])

/**
 * True when `bytes` hash to the digest in `cid`. Unknown hash functions are
 * reported as not verifiable (false) rather than trusted.
 */
export function verifyBlock (cid: CID, bytes: Uint8Array): boolean {
  const { code, digest } = cid.multihash
  if (code === IDENTITY_CODE) {
    return equals(digest, bytes)
  }
  const algorithm = NODE_HASHES.get(code)
  if (algorithm == null || digest.length < MIN_DIGEST_BYTES) return false
  const actual = createHash(algorithm).update(bytes).digest()
  return actual.length >= digest.length && equals(new Uint8Array(actual.buffer, actual.byteOffset, digest.length), digest)
}
