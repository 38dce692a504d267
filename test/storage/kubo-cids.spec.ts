/**
 * Same bytes → same CID as Kubo (`ipfs add --cid-version 1`, unixfs-v1-2025
 * profile). Expectations come from test/fixtures/reference-cid.ts, which spells
 * out every importer parameter instead of using the profile shortcut src/ uses.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { MIB, collect, inPieces, patternBytes, sameBytes } from '../fixtures/bytes.ts'
import { HELLO_WORLD_CID, referenceCid } from '../fixtures/reference-cid.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

describe('Kubo-compatible CIDs', () => {
  it('the reference import agrees with the known CID of "hello world"', async () => {
    expect(await referenceCid(new TextEncoder().encode('hello world'))).toBe(HELLO_WORLD_CID)
  })

  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['exactly one chunk', MIB],
    ['one chunk and one byte', MIB + 1],
    ['three chunks and one byte', 3 * MIB + 1]
  ])('stores %s (%d bytes) under the CID Kubo gives it', async (_, length) => {
    const kit = await sandbox.kit()
    const bytes = patternBytes(length, 7)
    const expected = await referenceCid(bytes)
    const cid = await kit.storage.store(bytes)
    expect(cid).toBe(expected)
    expect(await kit.storage.size(cid)).toBe(length)
    const back = await kit.storage.retrieve(cid)
    expect(back?.byteLength).toBe(length)
    expect(sameBytes(back, bytes)).toBe(true)
  })

  it('gives single-chunk content a raw-leaf bafk… CID and multi-chunk content a dag-pb bafy… CID', async () => {
    const kit = await sandbox.kit()
    const one = CID.parse(await kit.storage.store(patternBytes(MIB, 3)))
    expect(one.code).toBe(0x55)
    expect(one.toString()).toMatch(/^bafk/)
    const two = CID.parse(await kit.storage.store(patternBytes(MIB + 1, 3)))
    expect(two.code).toBe(0x70)
    expect(two.toString()).toMatch(/^bafy/)
  })

  it('gives the same CID whether content arrives as bytes, a stream of odd pieces or a file', async () => {
    const kit = await sandbox.kit()
    const bytes = patternBytes(3 * MIB + 1, 11)
    const expected = await referenceCid(bytes)
    expect(await kit.storage.store(inPieces(bytes, 333_333))).toBe(expected)
    const file = path.join(await sandbox.dir(), 'weights.bin')
    await fs.writeFile(file, bytes)
    expect(await kit.storage.store({ path: file })).toBe(expected)
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid: expected, size: bytes.byteLength })])
    expect(sameBytes(await collect(kit.storage.stream(expected)), bytes)).toBe(true)
  })
})
