import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FsBlockstore, blockKey } from '../../src/blocks/index.ts'
import { importFile } from '../../src/unixfs/importer.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { CID } from 'multiformats/cid'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

const CHUNK = 16
const WIDTH = 4

/** The reference: ipfs-unixfs-importer with the profile's options spelled out, at a small scale. */
async function reference (bytes: Uint8Array): Promise<{ cid: CID, keys: Set<string> }> {
  const store = new MemoryBlockstore()
  let root: CID | undefined
  for await (const entry of importer([{ content: [bytes] }], store, {
    cidVersion: 1, rawLeaves: true, reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CHUNK }), layout: balanced({ maxChildrenPerNode: WIDTH })
  })) root = entry.cid
  const keys = new Set<string>()
  for await (const { cid } of store.getAll()) keys.add(blockKey(cid))
  return { cid: root as CID, keys }
}

function pattern (n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 131 + (i >> 7)) & 0xff)
}

/** Split bytes into pieces of odd sizes, as a network or a pipe delivers them. */
function * pieces (bytes: Uint8Array): Generator<Uint8Array> {
  let at = 0
  let step = 1
  while (at < bytes.length) {
    yield bytes.subarray(at, at + step)
    at += step
    step = (step * 7 + 3) % 41 + 1
  }
}

/** One chunk at a time with a pause between, as a slow source delivers them (and as 1 MiB chunks take time to hash). */
async function * slowly (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += CHUNK) {
    await new Promise(resolve => setTimeout(resolve, 3))
    yield bytes.subarray(at, at + CHUNK)
  }
}

describe('importFile (the unixfs-v1-2025 profile, pipelined)', () => {
  const sizes = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, WIDTH * CHUNK, WIDTH * CHUNK + 1, (WIDTH + 1) * CHUNK, WIDTH * WIDTH * CHUNK, WIDTH * WIDTH * CHUNK + 3, WIDTH * WIDTH * WIDTH * CHUNK + 17, 3 * WIDTH * CHUNK + 5]
  it.each(sizes)('gives the reference CID and blocks for %i bytes, whole or in odd pieces', async size => {
    const bytes = pattern(size)
    const expected = await reference(bytes)
    for (const source of [[bytes], pieces(bytes)]) {
      const written = new Map<string, Uint8Array>()
      const result = await importFile(source, { put: async (cid, block) => { written.set(blockKey(cid), block) } }, { chunkSize: CHUNK, maxChildren: WIDTH })
      expect(result.cid.toString()).toBe(expected.cid.toString())
      expect(result.size).toBe(size)
      expect(new Set(result.blocks.keys())).toEqual(expected.keys)
      expect(new Set(written.keys())).toEqual(expected.keys)
    }
  })

  it('reports a write failure instead of a CID', async () => {
    const failing = { put: async () => { throw new Error('disk full') } }
    await expect(importFile([pattern(10 * CHUNK)], failing, { chunkSize: CHUNK, maxChildren: WIDTH })).rejects.toThrow('disk full')
  })

  it('stops when aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(importFile([pattern(10 * CHUNK)], { put: async () => {} }, { chunkSize: CHUNK, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('writes leaves through the target\'s stage() when it has one, with the same CIDs and blocks', async () => {
    const leaves = WIDTH * WIDTH + 1
    const bytes = pattern(leaves * CHUNK - 5)
    const expected = await reference(bytes)
    const store = new FsBlockstore(path.join(await sandbox.dir(), 'blocks'))
    await store.open()
    let staged = 0
    const target = { put: store.put.bind(store), stage: (chunk: Uint8Array) => { const s = store.stage(chunk); if (s != null) staged++; return s } }
    const result = await importFile(slowly(bytes), target, { chunkSize: CHUNK, maxChildren: WIDTH })
    expect(result.cid.toString()).toBe(expected.cid.toString())
    expect(new Set(result.blocks.keys())).toEqual(expected.keys)
    expect(staged).toBeGreaterThan(leaves / 2) // not those that found no temp file open yet
    for (const cid of result.blocks.values()) expect(await store.has(cid)).toBe(true)
    await store.close()
  })

  it('stops staging a re-added file once a staged leaf turns out to be stored already', async () => {
    const leaves = 60
    const bytes = pattern(leaves * CHUNK)
    const store = new FsBlockstore(path.join(await sandbox.dir(), 'blocks'))
    await store.open()
    const counted = { staged: 0, put: 0 }
    const target = {
      put: async (cid: CID, block: Uint8Array) => { counted.put++; return await store.put(cid, block) },
      stage: (chunk: Uint8Array) => { const s = store.stage(chunk); if (s != null) counted.staged++; return s }
    }
    const first = await importFile(slowly(bytes), target, { chunkSize: CHUNK, maxChildren: WIDTH, writeConcurrency: 4 })
    expect(counted.staged).toBeGreaterThan(leaves / 2)
    counted.staged = 0
    const again = await importFile(slowly(bytes), target, { chunkSize: CHUNK, maxChildren: WIDTH, writeConcurrency: 4 })
    expect(again.cid.toString()).toBe(first.cid.toString())
    // at most the leaves staged before the first answer came back: one per write slot, and one more
    expect(counted.staged).toBeGreaterThan(0)
    expect(counted.staged).toBeLessThanOrEqual(4 + 1)
    await store.close()
  })
})
