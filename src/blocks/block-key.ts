/** File names for blocks: Kubo's flatfs layout (`next-to-last/2`), keyed by multihash. */
import { base32upper } from 'multiformats/bases/base32'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'

const RAW_CODE = 0x55

/** Base32 (upper, unpadded, no multibase prefix) of the multihash, as Kubo's flatfs names blocks. */
export function blockKey (cid: CID): string {
  return base32upper.baseEncode(cid.multihash.bytes)
}

/** The shard directory of a key: its next-to-last two characters. */
export function shardOf (key: string): string {
  return key.slice(-3, -1)
}

/** A key back to a CID. The codec is not part of the key, so the CID is a raw CIDv1 of the same multihash. */
export function keyToCid (key: string): CID {
  return CID.createV1(RAW_CODE, Digest.decode(base32upper.baseDecode(key)))
}
