/**
 * Which CIDs ipfs-kit accepts, checked before any disk or network I/O: a
 * hostile CID must not make us hash with a function we cannot verify, or
 * store an "identity" block of unbounded size inside the CID itself.
 */
import { blake3 as blake3Hash } from '@noble/hashes/blake3.js'
import { from } from 'multiformats/hashes/hasher'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { MAX_DIGEST_BYTES, MIN_DIGEST_BYTES } from '../constants.ts'
import { UnsupportedHashError } from '../errors.ts'

export { MAX_DIGEST_BYTES, MIN_DIGEST_BYTES }
import type { CID } from 'multiformats/cid'
import type { MultihashHasher } from 'multiformats/hashes/interface'

export const IDENTITY = 0x00
export const SHA2_256 = 0x12
export const SHA2_512 = 0x13
export const BLAKE3 = 0x1e

/** Hash functions we verify blocks with. */
export const ALLOWED_HASHES = new Map<number, string>([[SHA2_256, 'sha2-256'], [SHA2_512, 'sha2-512'], [BLAKE3, 'blake3']])


/** blake3 as a multihash hasher (32-byte digest), for Helia's hash loader. */
export const blake3: MultihashHasher<typeof BLAKE3> = from({ name: 'blake3', code: BLAKE3, encode: (input: Uint8Array) => blake3Hash(input) })

/** Every hasher a node registers with Helia (createHeliaLight knows only sha2-256 and identity). */
export const HASHERS: MultihashHasher[] = [sha256, sha512, blake3]

/** @throws UnsupportedHashError when `cid`'s hash or digest size is not accepted */
export function assertAllowedCid (cid: CID): void {
  const { code, size } = cid.multihash
  if (code === IDENTITY) {
    if (size > MAX_DIGEST_BYTES) throw new UnsupportedHashError(cid.toString(), `identity digest of ${size} bytes (at most ${MAX_DIGEST_BYTES})`)
    return
  }
  const name = ALLOWED_HASHES.get(code)
  if (name == null) throw new UnsupportedHashError(cid.toString(), `hash function 0x${code.toString(16)} (accepted: ${[...ALLOWED_HASHES.values()].join(', ')})`)
  if (size < MIN_DIGEST_BYTES || size > MAX_DIGEST_BYTES) {
    throw new UnsupportedHashError(cid.toString(), `${name} digest of ${size} bytes (accepted: ${MIN_DIGEST_BYTES}–${MAX_DIGEST_BYTES})`)
  }
}
