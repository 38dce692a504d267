/**
 * One cold-tier pack being filled: a CARv1 (any CAR tool reads it) whose
 * first root is the DAG that opened it, with each block's data offset and
 * length noted as it is appended. The buffer grows by doubling up to the pack
 * size, so a small upload does not cost a whole pack of memory.
 */
import { createHash } from 'node:crypto'
import { createWriter, headerLength } from '@ipld/car/buffer-writer'
import { varint } from 'multiformats'
import { blockKey } from './block-key.ts'
import type { PackEntry, PackRecord } from './pack-index.ts'
import type { CID } from 'multiformats/cid'

const FIRST_CAPACITY = 1024 * 1024
const GROW_TO_FULL = 4 * 1024 * 1024

export class PackBuilder {
  private bytes: Uint8Array
  private length: number
  private readonly entries: PackEntry[] = []
  private readonly keys = new Set<string>()

  constructor (root: CID, private readonly packSize: number) {
    const header = encodeHeader(root)
    this.bytes = new Uint8Array(Math.max(FIRST_CAPACITY, header.byteLength))
    this.bytes.set(header)
    this.length = header.byteLength
  }

  get size (): number { return this.length }
  get blocks (): number { return this.entries.length }

  /** True when the block is in this pack already. */
  holds (key: string): boolean { return this.keys.has(key) }

  /** True when appending a block of `bytes` bytes would go over the pack size (a first block always fits). */
  wouldOverflow (cid: CID, bytes: number): boolean {
    return this.entries.length > 0 && this.length + frameLength(cid, bytes) > this.packSize
  }

  append (cid: CID, bytes: Uint8Array, segment: number): void {
    const prefix = varint.encodeTo(cid.bytes.byteLength + bytes.byteLength, new Uint8Array(10))
    const lengthBytes = prefix.subarray(0, varint.encodingLength(cid.bytes.byteLength + bytes.byteLength))
    this.reserve(lengthBytes.byteLength + cid.bytes.byteLength + bytes.byteLength)
    this.bytes.set(lengthBytes, this.length)
    this.length += lengthBytes.byteLength
    this.bytes.set(cid.bytes, this.length)
    this.length += cid.bytes.byteLength
    const key = blockKey(cid)
    this.entries.push([key, this.length, bytes.byteLength, segment])
    this.keys.add(key)
    this.bytes.set(bytes, this.length)
    this.length += bytes.byteLength
  }

  /** The pack's bytes and record; its id is the sha256 of its bytes, so a pack's name says what it holds. */
  finish (): { bytes: Uint8Array, record: PackRecord } {
    const bytes = this.bytes.subarray(0, this.length)
    const pack = createHash('sha256').update(bytes).digest('hex')
    return { bytes, record: { version: 1, pack, size: this.length, blocks: this.entries } }
  }

  private reserve (extra: number): void {
    if (this.length + extra <= this.bytes.byteLength) return
    let capacity = this.bytes.byteLength
    while (capacity < this.length + extra) capacity *= 2
    // past GROW_TO_FULL the upload is a large one: take the whole pack at once rather than
    // doubling (each doubling holds the old buffer and the new one)
    if (capacity > GROW_TO_FULL) capacity = this.packSize
    capacity = Math.max(Math.min(capacity, this.packSize), this.length + extra)
    const grown = new Uint8Array(capacity)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }
}

/** A CARv1 header naming one root: what @ipld/car's buffer writer makes of a CAR with no blocks. */
function encodeHeader (root: CID): Uint8Array {
  return createWriter(new ArrayBuffer(headerLength({ roots: [root] })), { roots: [root] }).close()
}

/** Bytes a block takes in a CAR: the varint of CID + data length, the CID, the data. */
function frameLength (cid: CID, bytes: number): number {
  const body = cid.bytes.byteLength + bytes
  return varint.encodingLength(body) + body
}
