/**
 * Property test of pins, delete and gc against a plain reference model:
 * random sequences of store / pin / unpin / delete / gc over files built from
 * a small pool of 1 MiB chunks, so their DAGs share leaf blocks. After every
 * step: every pinned DAG is complete; after gc, the store holds exactly the
 * blocks of pinned DAGs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blockKey, FsBlockstore } from '../../src/blocks/index.ts'
import { walkDag } from '../../src/pins/index.ts'
import { localBlockSource } from '../../src/blocks/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'
import { CID as CIDClass } from 'multiformats/cid'

const SEQUENCES = 1000
const STEPS = 8
const MiB = 1024 * 1024

/** A deterministic PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
function rng (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Chunk pool: 1 MiB each, distinct. Files are 1–3 chunks from the pool plus an optional short tail. */
const POOL = Array.from({ length: 4 }, (_, i) => new Uint8Array(MiB).map((_, j) => (17 * i + 3 + j * (i + 1)) & 0xff))
const TAILS = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(5000).fill(9)]

/** The content variants a sequence picks from: 12 files that share chunks. */
const VARIANTS: Uint8Array[] = Array.from({ length: 12 }, (_, v) => {
  const chunks = [POOL[v % 4], POOL[(v + 1) % 4], POOL[(v * 3) % 4]].slice(0, 1 + (v % 3)) as Uint8Array[]
  return Buffer.concat([...chunks, TAILS[v % 3] as Uint8Array])
})

describe('pins and gc against a reference model', () => {
  const sandbox = new Sandbox()
  let kit: Kit
  let source: ReturnType<typeof localBlockSource>
  let blockstore: FsBlockstore
  const dagOf = new Map<string, Set<string>>() // cid → block keys (from the content; fixed)

  beforeAll(async () => {
    kit = await sandbox.kit()
    blockstore = new FsBlockstore(kit.dataDir + '/blocks')
    source = localBlockSource(blockstore)
  })
  afterAll(async () => { await sandbox.cleanup() })

  const blocksOf = async (cid: string): Promise<Set<string>> => {
    let blocks = dagOf.get(cid)
    if (blocks == null) {
      blocks = new Set((await walkDag(source, CIDClass.parse(cid))).keys())
      dagOf.set(cid, blocks)
    }
    return blocks
  }

  const storedKeys = async (): Promise<Set<string>> => {
    const keys = new Set<string>()
    for await (const { cid } of blockstore.list()) keys.add(blockKey(cid))
    return keys
  }

  it(`holds for ${SEQUENCES} random sequences of ${STEPS} steps`, async () => {
    const cidOfVariant = new Map<number, string>()
    for (let seed = 1; seed <= SEQUENCES; seed++) {
      const random = rng(seed)
      const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T
      const pinned = new Set<string>() // the model: pinned roots
      const listed = new Set<string>() // the model: roots in the file index
      const trace: string[] = []

      for (let step = 0; step < STEPS; step++) {
        const variant = Math.floor(random() * VARIANTS.length)
        const op = pick(['store', 'storePinned', 'pin', 'unpin', 'delete', 'gc'] as const)
        const known = [...listed, ...pinned]
        const target = known.length > 0 && random() < 0.8 ? pick(known) : cidOfVariant.get(variant)
        trace.push(`${op}(${op.startsWith('store') ? variant : target?.slice(-6)})`)
        const where = `seed ${seed}: ${trace.join(' ')}`

        if (op === 'store' || op === 'storePinned') {
          const cid = await kit.storage.store(VARIANTS[variant] as Uint8Array, { pin: op === 'storePinned' })
          cidOfVariant.set(variant, cid)
          await blocksOf(cid) // the DAG of a content is fixed: learn it while it is whole
          listed.add(cid)
          if (op === 'storePinned') pinned.add(cid)
        } else if (op === 'gc') {
          await kit.storage.gc()
          const expected = new Set<string>()
          for (const root of pinned) for (const key of await blocksOf(root)) expected.add(key)
          expect(await storedKeys(), where).toEqual(expected)
          // a listed file survives gc only when all its blocks are held by pins (a one-chunk file that is also a leaf of a pinned file)
          for (const root of [...listed]) {
            if (![...await blocksOf(root)].every(key => expected.has(key))) listed.delete(root)
          }
        } else if (target != null) {
          if (op === 'pin') {
            const ok = await kit.storage.pin(target)
            const complete = await walkDag(source, CIDClass.parse(target)).then(() => true, () => false)
            expect(ok, where).toBe(complete)
            if (ok) { pinned.add(target); if (!listed.has(target)) listed.add(target) }
          } else if (op === 'unpin') {
            expect(await kit.storage.unpin(target), where).toBe(pinned.delete(target))
          } else {
            await kit.storage.delete(target)
            pinned.delete(target)
            listed.delete(target)
          }
        }

        // after every step: every pinned DAG is complete; the pin and file lists match the model
        for (const root of pinned) {
          const present = await walkDag(source, CIDClass.parse(root)).then(() => true, () => false)
          expect(present, `${where}: pinned ${root} incomplete`).toBe(true)
        }
        const files = await kit.storage.listFiles()
        expect(new Set(files.filter(f => f.pinned).map(f => f.cid)), where).toEqual(pinned)
        expect(new Set(files.map(f => f.cid)), where).toEqual(listed)
      }
      // reset for the next sequence
      for (const root of new Set([...pinned, ...listed])) await kit.storage.delete(root)
      await kit.storage.gc()
      expect((await storedKeys()).size, `seed ${seed}: blocks left after reset`).toBe(0)
    }
  }, 900_000)
})
