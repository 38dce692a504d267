/**
 * Reading files back: byte ranges across block boundaries, DAGs deeper than
 * one level (built with small chunks so the test stays small), Kubo's older
 * CIDv0 layout with dag-pb leaves, and missing or damaged blocks.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { FsBlockstore } from '../../src/blocks/index.ts'
import { MIB, collect, patternBytes, sameBytes } from '../fixtures/bytes.ts'
import { referenceImport } from '../fixtures/reference-cid.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

/** 3 MiB + 1 byte: three full leaves and a one-byte leaf under one root. */
const FILE = patternBytes(3 * MIB + 1, 5)

async function read (kit: Kit, cid: string, offset?: number, length?: number): Promise<Uint8Array> {
  return await collect(kit.storage.stream(cid, { offset, length }))
}

function blocksOf (kit: Kit): FsBlockstore {
  return new FsBlockstore(path.join(kit.dataDir, 'blocks'))
}

describe('stream()', () => {
  it.each([
    ['the whole file', undefined, undefined],
    ['a range inside the first block', 10, 100],
    ['a range across the first boundary', MIB - 5, 10],
    ['exactly the second block', MIB, MIB],
    ['a range across two boundaries', MIB - 1, MIB + 2],
    ['from a boundary to the end', 2 * MIB, undefined],
    ['the last byte', 3 * MIB, undefined],
    ['the last byte with a length past the end', 3 * MIB, 1000],
    ['an offset with no length', 12345, undefined]
  ])('returns %s as the same slice of the input', async (_, offset, length) => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store(FILE)
    const start = offset ?? 0
    const expected = FILE.subarray(start, length == null ? undefined : start + length)
    const got = await read(kit, cid, offset, length)
    expect(got.byteLength).toBe(expected.byteLength)
    expect(sameBytes(got, expected)).toBe(true)
  })

  it('returns nothing for length 0, an offset at the end, or past it', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store(FILE)
    expect((await read(kit, cid, 100, 0)).byteLength).toBe(0)
    expect((await read(kit, cid, FILE.byteLength)).byteLength).toBe(0)
    expect((await read(kit, cid, FILE.byteLength + 10, 5)).byteLength).toBe(0)
    const small = await kit.storage.store('hello world')
    expect((await read(kit, small, 20)).byteLength).toBe(0)
    expect(new TextDecoder().decode(await read(kit, small, 6, 100))).toBe('world')
  })

  it('rejects a negative or fractional offset or length with InvalidInputError', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('hello world')
    await expect(read(kit, cid, -1)).rejects.toMatchObject({ name: 'InvalidInputError' })
    await expect(read(kit, cid, 1.5)).rejects.toMatchObject({ name: 'InvalidInputError' })
    await expect(read(kit, cid, 0, -2)).rejects.toMatchObject({ name: 'InvalidInputError' })
  })

  it('fails with NotFoundError for content that is not there, where retrieve returns undefined', async () => {
    const kit = await sandbox.kit()
    const unknown = (await referenceImport(new TextEncoder().encode('not stored'))).cid.toString()
    await expect(read(kit, unknown)).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(await kit.storage.retrieve(unknown)).toBeUndefined()
  })

  it('stops with NotFoundError at a leaf deleted by hand, and retrieve returns undefined', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store(FILE)
    const blocks = blocksOf(kit)
    const root = dagPb.decode(await blocks.getBytes(CID.parse(cid)))
    expect(root.Links).toHaveLength(4)
    await fs.rm(blocks.fileOf(root.Links[2]?.Hash as CID))
    // the first two blocks are readable
    expect(sameBytes(await read(kit, cid, 0, 2 * MIB), FILE.subarray(0, 2 * MIB))).toBe(true)
    await expect(read(kit, cid)).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(await kit.storage.retrieve(cid)).toBeUndefined()
    // the root is still there
    expect(await kit.storage.exists(cid)).toBe(true)
  })

  it('never returns a leaf whose file was altered on disk', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store(FILE)
    const blocks = blocksOf(kit)
    const leaf = dagPb.decode(await blocks.getBytes(CID.parse(cid))).Links[1]?.Hash as CID
    const file = blocks.fileOf(leaf)
    const bytes = await fs.readFile(file)
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff
    await fs.writeFile(file, bytes)
    await expect(read(kit, cid, MIB, 10)).rejects.toMatchObject({ name: 'NotFoundError' })
    expect(await kit.storage.retrieve(cid)).toBeUndefined()
  })
})

describe('reading DAGs of other shapes', () => {
  /** 10 000 bytes in 100-byte chunks, 4 links per node: 100 leaves under four levels of nodes. */
  const DEEP = patternBytes(10_000, 9)
  /** Ranges that start and end inside leaves, on leaf boundaries and on subtree boundaries. */
  const RANGES: Array<[number, number | undefined]> = [[0, undefined], [0, 1], [99, 2], [100, 100], [350, 1234], [1599, 1602], [6400, 3600], [9999, 1], [4321, undefined]]

  async function importInto (kit: Kit, bytes: Uint8Array, init: Parameters<typeof referenceImport>[1]): Promise<string> {
    const { cid } = await referenceImport(bytes, { ...init, blockstore: blocksOf(kit) })
    return cid.toString()
  }

  it('streams every range of a four-level DAG', async () => {
    const deepKit = await sandbox.kit()
    const deepCid = await importInto(deepKit, DEEP, { chunkSize: 100, maxChildrenPerNode: 4 })
    // the root's children are themselves nodes: the DAG has more than one level
    const root = dagPb.decode(await blocksOf(deepKit).getBytes(CID.parse(deepCid)))
    expect(root.Links[0]?.Hash.code).toBe(dagPb.code)
    expect(await deepKit.storage.size(deepCid)).toBe(DEEP.byteLength)
    for (const [offset, length] of RANGES) {
      const expected = DEEP.subarray(offset, length == null ? undefined : offset + length)
      expect(sameBytes(await read(deepKit, deepCid, offset, length), expected), `offset ${offset} length ${length}`).toBe(true)
    }
    expect(sameBytes(await deepKit.storage.retrieve(deepCid), DEEP)).toBe(true)
  })

  it('streams a CIDv0 DAG whose leaves are dag-pb nodes (Kubo before the 2025 profile)', async () => {
    const kit = await sandbox.kit()
    const cid = await importInto(kit, DEEP, { chunkSize: 256, maxChildrenPerNode: 8, rawLeaves: false, cidVersion: 0 })
    expect(cid).toMatch(/^Qm/)
    for (const [offset, length] of RANGES) {
      const expected = DEEP.subarray(offset, length == null ? undefined : offset + length)
      expect(sameBytes(await read(kit, cid, offset, length), expected), `offset ${offset} length ${length}`).toBe(true)
    }
  })

  it('pins and deletes a deep DAG block by block', async () => {
    const kit = await sandbox.kit()
    const cid = await importInto(kit, DEEP, { chunkSize: 100, maxChildrenPerNode: 4 })
    const stored = (await kit.storage.status()).repo.blocks
    expect(await kit.storage.pin(cid)).toBe(true)
    const record = await kit.pins.get(CID.parse(cid))
    expect(record?.blocks).toBe(stored)
    // pinning content that arrived by other means lists it, with its size
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid, filename: null, size: DEEP.byteLength, pinned: true })])
    expect((await kit.storage.gc()).removedBlocks).toBe(0)
    expect(await kit.storage.delete(cid)).toBe(true)
    expect((await kit.storage.status()).repo.blocks).toBe(0)
  })
})
