/**
 * One cold-tier pack being filled: a CARv1 (any CAR tool reads it) whose
 * first root is the DAG that opened it, with each block's data offset and
 * length noted as it is appended. The pack is spooled to a temp file (in the
 * blockstore's directory, so a crash's leftover is swept at the next open),
 * not held in memory: its name and MD5 (the upload's Content-MD5) are
 * computed as blocks are appended, and the upload streams the file. Memory
 * per pack is one block being written, whatever `pack_size`.
 *
 * The name is the sha256 of the pack's bytes but its blocks' data: the CAR
 * header and each block's frame (length and CID). A CID is the hash of its
 * block's data, so that is a commitment to every byte of the pack as strong
 * as hashing them all, without a second sha256 pass over data the import (or
 * the read from disk) has just hashed: ~0.9 s of CPU per GiB on this machine.
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { createWriter, headerLength } from '@ipld/car/buffer-writer'
import { varint } from 'multiformats'
import { blockKey } from './block-key.ts'
import type { PackEntry, PackRecord } from './pack-index.ts'
import type { Hash } from 'node:crypto'
import type { CID } from 'multiformats/cid'

/** Temp files of packs being built start with this (the blockstore's open sweeps `.tmp-*`). */
export const PACK_SPOOL_PREFIX = '.tmp-pack-'

/** A finished pack: its record, and the spooled file to upload (then `discard`). */
export interface SpooledPack {
  record: PackRecord
  file: string
  /** base64 MD5 of the file (Content-MD5). */
  md5: string
  discard(): Promise<void>
}

export class PackBuilder {
  private length = 0
  private readonly entries: PackEntry[] = []
  private readonly keys = new Set<string>()
  private readonly sha256: Hash = createHash('sha256')
  private readonly md5: Hash = createHash('md5')
  private handle: fs.FileHandle | undefined
  /** The write in flight (one at a time, so the next block hashes while the last one is written). */
  private writing: Promise<unknown> = Promise.resolve()
  private readonly file: string

  /**
   * @param prev the pack that came before this one in the same upload: recorded, so a sequential
   * read can fetch this pack ahead of its reader
   */
  constructor (private readonly root: CID, private readonly packSize: number, spoolDir: string, private readonly prev?: string) {
    this.file = path.join(spoolDir, `${PACK_SPOOL_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}.car`)
  }

  get size (): number { return this.length }
  get blocks (): number { return this.entries.length }

  /** True when the block is in this pack already. */
  holds (key: string): boolean { return this.keys.has(key) }

  /** True when appending a block of `bytes` bytes would go over the pack size (a first block always fits). */
  wouldOverflow (cid: CID, bytes: number): boolean {
    return this.entries.length > 0 && this.length + frameLength(cid, bytes) > this.packSize
  }

  /**
   * Append a block: hashed and written to the spool. Resolves once its write has settled (a failed
   * write surfaces at `finish`), so the caller may reuse `bytes`; one block is written at a time.
   */
  async append (cid: CID, bytes: Uint8Array, segment: number): Promise<void> {
    await this.writing
    if (this.handle == null) {
      this.handle = await fs.open(this.file, 'wx')
      this.add(encodeHeader(this.root))
    }
    const body = cid.bytes.byteLength + bytes.byteLength
    this.add(varint.encodeTo(body, new Uint8Array(varint.encodingLength(body))))
    this.add(cid.bytes)
    const key = blockKey(cid)
    this.entries.push([key, this.length, bytes.byteLength, segment])
    this.keys.add(key)
    this.add(bytes, false)
    await this.writing.catch(() => {})
  }

  /** Close the spool; its id is the sha256 of its header and frames (CIDs name the data), so a pack's name says what it holds. */
  async finish (): Promise<SpooledPack> {
    await this.writing
    await this.handle?.close()
    const pack = this.sha256.digest('hex')
    const record: PackRecord = { version: 1, pack, size: this.length, blocks: this.entries, ...(this.prev == null ? {} : { prev: this.prev }) }
    return { record, file: this.file, md5: this.md5.digest('base64'), discard: async () => { await this.discard() } }
  }

  /** Remove the spool (after the upload, or when the put failed). */
  async discard (): Promise<void> {
    await this.writing.catch(() => {})
    await this.handle?.close().catch(() => {})
    await fs.rm(this.file, { force: true })
  }

  /** Write bytes at the end of the spool; `named`: they go into the pack's name (all but block data). */
  private add (bytes: Uint8Array, named = true): void {
    const handle = this.handle as fs.FileHandle
    const at = this.length
    if (named) this.sha256.update(bytes)
    this.md5.update(bytes)
    this.length += bytes.byteLength
    const previous = this.writing
    this.writing = previous.then(async () => { await writeFully(handle, bytes, at) })
    this.writing.catch(() => {}) // awaited by the next append or finish
  }
}

async function writeFully (handle: fs.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done)
    done += bytesWritten
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
