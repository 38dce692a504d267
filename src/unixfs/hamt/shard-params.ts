/**
 * The parameters a HAMT shard node declares in its UnixFS data (fanout, hash
 * function), checked before anything is looked up through it, and the labels
 * its links carry: the slot in upper-case hex, padded to the width of the
 * largest slot, then the entry's name (a link with the label alone is a
 * sub-shard).
 */
import { HAMT_MAX_FANOUT, HAMT_MIN_FANOUT } from '../../constants.ts'
import { UnsupportedContentError } from '../../errors.ts'
import { HAMT_HASH_CODE } from './hamt-hash.ts'
import type { CID } from 'multiformats/cid'

/** How a shard is laid out. */
export interface ShardParams {
  /** Slots per shard node (a power of two). */
  fanout: number
  /** Hash bits consumed per level: log2(fanout). */
  bits: number
  /** Hex digits of a slot label. */
  labelLength: number
}

/** Whether `fanout` is a shard width go-unixfs accepts. */
export function isValidFanout (fanout: number): boolean {
  return Number.isInteger(fanout) && fanout >= HAMT_MIN_FANOUT && fanout <= HAMT_MAX_FANOUT && (fanout & (fanout - 1)) === 0
}

/** The layout of a shard `fanout` slots wide (a valid fanout). */
export function shardLayout (fanout: number): ShardParams {
  return { fanout, bits: Math.log2(fanout), labelLength: (fanout - 1).toString(16).length }
}

/** The parameters of a shard node whose UnixFS data is `data`, or UnsupportedContentError naming what is wrong. */
export function shardParams (cid: CID, data: Uint8Array, fanout: bigint | undefined): ShardParams {
  const width = Number(fanout ?? 0n)
  if (!isValidFanout(width)) {
    throw new UnsupportedContentError(`${cid} is a HAMT shard with fanout ${width}: only powers of two from ${HAMT_MIN_FANOUT} to ${HAMT_MAX_FANOUT} are read`)
  }
  const hashType = unixfsHashType(data)
  if (hashType !== BigInt(HAMT_HASH_CODE)) {
    throw new UnsupportedContentError(`${cid} is a HAMT shard hashed with 0x${(hashType ?? 0n).toString(16)}: only murmur3-x64-64 (0x22) is read`)
  }
  return shardLayout(width)
}

/** A slot's link label, as go-unixfs writes it: `0F`, `A3`. */
export function slotLabel (slot: number, params: ShardParams): string {
  return slot.toString(16).toUpperCase().padStart(params.labelLength, '0')
}

/**
 * The `hashType` field (5) of a UnixFS Data message. ipfs-unixfs decodes it
 * but does not keep it, so the protobuf is scanned here: varint fields are
 * read, length-delimited and fixed-width ones skipped.
 */
export function unixfsHashType (data: Uint8Array): bigint | undefined {
  let at = 0
  let found: bigint | undefined
  const varint = (): bigint => {
    let value = 0n
    for (let shift = 0n; at < data.byteLength; shift += 7n) {
      const byte = data[at++] ?? 0
      value |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value
    }
    throw new UnsupportedContentError('truncated UnixFS data')
  }
  while (at < data.byteLength) {
    const key = varint()
    const field = key >> 3n
    const wire = Number(key & 7n)
    if (wire === 0) {
      const value = varint()
      if (field === 5n) found = value
    } else if (wire === 2) {
      const length = Number(varint())
      at += length
    } else if (wire === 1) {
      at += 8
    } else if (wire === 5) {
      at += 4
    } else {
      throw new UnsupportedContentError(`UnixFS data with protobuf wire type ${wire}`)
    }
  }
  return found
}
