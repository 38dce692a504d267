/**
 * Where a name lives in a UnixFS HAMT: the murmur3-x64-64 hash of its UTF-8
 * bytes (the first 64 bits of murmur3-x64-128, seed 0), read most significant
 * bit first, `log2(fanout)` bits per level. This is how boxo (Kubo) and
 * ipfs-unixfs-importer place entries, so both sides find the same slot.
 */
import { murmur364 } from '@multiformats/murmur3'

/** Multicodec of murmur3-x64-64: the `hashType` every UnixFS HAMT shard declares. */
export const HAMT_HASH_CODE = 0x22

const encoder = new TextEncoder()

/** The 8-byte hash that places `name` in a shard. */
export async function hamtHash (name: string): Promise<Uint8Array> {
  const digest = await murmur364.digest(encoder.encode(name))
  return digest.digest
}

/** Bits of the hash (murmur3-x64-64) a HAMT places names by. */
export const HAMT_HASH_BITS = 64

/** Whether a HAMT with `bits` bits per level has hash bits left for a level at `depth` (0 at the root). */
export function levelFits (depth: number, bits: number): boolean {
  return (depth + 1) * bits <= HAMT_HASH_BITS
}

/**
 * The slot `hash` takes at `depth` (0 at the shard's root) of a HAMT with
 * `bits` bits per level, or undefined once the 64 bits are used up (a tree
 * that deep would need two names with the same 64-bit hash).
 */
export function slotAt (hash: Uint8Array, depth: number, bits: number): number | undefined {
  if (!levelFits(depth, bits)) return undefined
  const start = depth * bits
  let slot = 0
  for (let bit = start; bit < start + bits; bit++) {
    slot = (slot << 1) | (((hash[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1)
  }
  return slot
}
