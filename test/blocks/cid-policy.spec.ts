import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { identity } from 'multiformats/hashes/identity'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { assertAllowedCid } from '../../src/blocks/index.ts'
import { blake3 } from '../../src/blocks/cid-policy.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const RAW = 0x55

describe('CID policy', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it.each([
    ['sha1 (0x11)', CID.createV1(RAW, Digest.create(0x11, randomBytes(20)))],
    ['md5-like 16-byte sha2-256', CID.createV1(RAW, Digest.create(0x12, randomBytes(16)))],
    ['sha2-256 with a 129-byte digest', CID.createV1(RAW, Digest.create(0x12, randomBytes(129)))],
    ['identity of 129 bytes', CID.createV1(RAW, Digest.create(0x00, randomBytes(129)))],
    ['murmur3 (0x22)', CID.createV1(RAW, Digest.create(0x22, randomBytes(32)))]
  ])('refuses %s with UnsupportedHashError before any I/O', async (_, cid) => {
    expect(() => { assertAllowedCid(cid) }).toThrow(expect.objectContaining({ name: 'UnsupportedHashError', code: 'ERR_UNSUPPORTED_HASH' }))
    const kit = await sandbox.kit()
    // the data directory's blockstore is never asked: a stopped kit would fail on any I/O
    await kit.stop()
    for (const call of [kit.storage.retrieve(cid.toString()), kit.storage.exists(cid.toString()), kit.storage.pin(cid.toString()), kit.storage.delete(cid.toString())]) {
      await expect(call).rejects.toMatchObject({ name: 'UnsupportedHashError' })
    }
  })

  it('accepts sha2-256, sha2-512 and blake3 blocks, and small identity CIDs, and reads them back verified', async () => {
    const kit = await sandbox.kit()
    const bytes = randomBytes(1000)
    for (const hasher of [sha256, sha512, blake3]) {
      const cid = CID.createV1(RAW, await hasher.digest(bytes))
      assertAllowedCid(cid)
      await kit.helia.blockstore.put(cid, bytes)
      expect(Buffer.compare(Buffer.from(await kit.storage.retrieve(cid.toString()) as Uint8Array), bytes)).toBe(0)
    }
    const small = CID.createV1(RAW, await identity.digest(new TextEncoder().encode('inline')))
    expect(new TextDecoder().decode(await kit.storage.retrieve(small.toString()))).toBe('inline')
  })

  it('never returns a blake3 block whose bytes do not match', async () => {
    const kit = await sandbox.kit()
    const cid = CID.createV1(RAW, await blake3.digest(randomBytes(64)))
    await kit.helia.blockstore.put(cid, randomBytes(64)) // wrong bytes under that CID
    expect(await kit.storage.retrieve(cid.toString())).toBeUndefined()
  })
})
