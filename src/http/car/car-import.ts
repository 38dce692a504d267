/**
 * Importing a CAR from an untrusted upload: every block is hashed against its
 * CID before anything is written, and nothing is written unless every block
 * verifies. The upload is spooled to a temporary file in the data directory
 * while it is checked (constant memory whatever its size), then its blocks
 * are written from there through the kit's blockstore, under a temporary hold
 * so gc leaves them alone until the caller pins the roots.
 */
import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { CarBlockIterator } from '@ipld/car/iterator'
import { assertAllowedCid, verifyBlock } from '../../blocks/index.ts'
import { MAX_BLOCK_SIZE } from '../../constants.ts'
import { RpcError } from '../rpc-error.ts'
import type { Kit } from '../../kit.ts'
import type { Hold } from '../../pins/index.ts'
import type { CID } from 'multiformats/cid'

export interface CarImportOptions {
  /** Holds every block written; the caller releases it after pinning. */
  hold: Hold
  signal: AbortSignal
}

export interface CarImportResult {
  roots: CID[]
  blocks: number
  bytes: number
}

/** Verify, then write, the blocks of one CAR. Throws RpcError 400 for a block that does not match its CID (nothing written). */
export async function importCar (kit: Kit, body: AsyncIterable<Uint8Array>, options: CarImportOptions): Promise<CarImportResult> {
  const dir = path.join(kit.dataDir, 'tmp')
  await fs.mkdir(dir, { recursive: true })
  const spool = path.join(dir, `import-${randomUUID()}.car`)
  const file = await fs.open(spool, 'w')
  try {
    let roots: CID[]
    let blocks = 0
    let bytes = 0
    try {
      const car = await CarBlockIterator.fromIterable(teeTo(body, file))
      roots = await car.getRoots()
      for await (const block of car) {
        options.signal.throwIfAborted()
        checkBlock(block.cid, block.bytes)
        blocks++
        bytes += block.bytes.byteLength
      }
    } catch (err: any) {
      if (err instanceof RpcError || err.name === 'UnsupportedHashError' || err.name === 'AbortError') throw err
      throw new RpcError(400, `not a valid CAR: ${err.message}`, { cause: err })
    } finally {
      await file.close()
    }
    // every block verified: now write them, from our own copy
    const car = await CarBlockIterator.fromIterable(createReadStream(spool))
    for await (const block of car) {
      options.signal.throwIfAborted()
      await kit.storage.putBlock(block.cid, block.bytes, { hold: options.hold, signal: options.signal })
    }
    return { roots, blocks, bytes }
  } finally {
    await fs.rm(spool, { force: true })
  }
}

function checkBlock (cid: CID, bytes: Uint8Array): void {
  assertAllowedCid(cid)
  if (bytes.byteLength > MAX_BLOCK_SIZE) throw new RpcError(400, `block ${cid} is ${bytes.byteLength} bytes, over the ${MAX_BLOCK_SIZE} byte block limit`)
  if (!verifyBlock(cid, bytes)) throw new RpcError(400, `block does not match its CID: ${cid}; nothing was imported`)
}

/** Pass the upload through, copying it to `file` as it goes. */
async function * teeTo (source: AsyncIterable<Uint8Array>, file: fs.FileHandle): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    await file.write(chunk)
    yield chunk
  }
}
