/**
 * One case of `npm run bench:storage`, run by benchmarks/storage.ts in its own
 * process so that the peak RSS it reports is this case's alone.
 *
 * Store cases read `--input` as `--reps` consecutive ranges of `--size` bytes
 * (distinct content, so deduplication never skips a write), then read every
 * stored copy back in full. Nothing held in memory grows with the size. Each
 * implementation is imported only by its own case, so a case's RSS carries
 * no other case's modules.
 *
 *   --impl kit|helia|fs|sha256|list  --input <file> --size <bytes> --reps <n>
 *   --dir <empty work dir> [--expect <sha256 hex of input>] [--entries <n>] --out <result.json>
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { childArgs, writeChildResult } from './lib/child.ts'
import { DATA_CHUNK, drain, fileRange } from './lib/data.ts'
import { ownCpuMs } from './lib/cpu-idle.ts'
import { mbPerSecond, median, peakRss, timed } from './lib/measure.ts'
import type { CID } from 'multiformats/cid'

export type Impl = 'kit' | 'helia' | 'fs' | 'sha256'

export interface CaseResult {
  impl: Impl
  /** Bytes per stored file. */
  size: number
  /** Files stored (and read back), each `size` bytes. */
  reps: number
  /** Absent for sha256, which only reads. */
  storeMs?: number
  storeMBps?: number
  /** For sha256: reading and hashing the input. Absent when the case failed before. */
  retrieveMs?: number
  retrieveMBps?: number
  /** For sha256: the time inside `hash.update()` alone (no I/O), as throughput. */
  hashOnlyMBps?: number
  /** Peak RSS after setup (node or store opened), before any data moved. */
  setupRss?: number
  /** Peak RSS after the store phase. */
  storeRss?: number
  /** Peak RSS of the whole case. */
  peakRss: number
  /** CID of each stored file (kit and helia). */
  cids?: string[]
  /** sha256 of the input (sha256), or whether the retrieved bytes matched `--expect` (kit, checked after timing). */
  sha256?: string
  verified?: boolean
  /** CPU time of the whole case process (set by the child), ms. */
  cpuMs?: number
  /** Fraction of the machine's CPU used by other processes while the case ran (set by the driver). */
  othersBusy?: number
  /** Set when the case failed: the phase and the error, with whatever was measured before. */
  error?: string
}

export interface ListResult {
  impl: 'list'
  entries: number
  /** Time to store the entries (small strings, 8 at a time). */
  populateMs: number
  /** First `listFiles()` call after populating. */
  firstMs: number
  /** Median of the following calls. */
  medianMs: number
  runs: number
  peakRss: number
  cpuMs?: number
  othersBusy?: number
}

const LIST_RUNS = 5
const LIST_POPULATE_CONCURRENCY = 8

const args = childArgs()
const impl = required('impl')
const dir = required('dir')

/** What a store case measured so far, reported with the error if a later phase fails. */
let partial: Partial<CaseResult> = {}
let phase = 'setup'

try {
  if (impl === 'list') {
    await writeChildResult(args, { ...await listCase(Number(args.get('entries') ?? 10_000)), cpuMs: ownCpuMs() })
  } else {
    const size = Number(required('size'))
    const reps = Number(args.get('reps') ?? 1)
    partial = { impl: impl as Impl, size, reps }
    const result = await storeCase(impl as Impl, required('input'), size, reps)
    await writeChildResult(args, { ...result, cpuMs: ownCpuMs() })
  }
} catch (err: any) {
  process.stderr.write(`${impl} failed in ${phase}: ${err.stack ?? err}\n`)
  await writeChildResult(args, { ...partial, peakRss: peakRss(), cpuMs: ownCpuMs(), error: `${phase}: ${err.message ?? err}` })
  process.exitCode = 1
}

async function storeCase (impl: Impl, input: string, size: number, reps: number): Promise<CaseResult> {
  const total = size * reps
  const ranges = Array.from({ length: reps }, (_, i) => i * size)
  switch (impl) {
    case 'sha256': {
      const setupRss = peakRss()
      const hash = createHash('sha256')
      let hashNs = 0n
      phase = 'retrieve'
      const read = await timed(async () => {
        for await (const chunk of createReadStream(input, { highWaterMark: DATA_CHUNK })) {
          const start = process.hrtime.bigint()
          hash.update(chunk)
          hashNs += process.hrtime.bigint() - start
        }
      })
      const rss = peakRss()
      const hashMs = Number(hashNs) / 1e6
      return { impl, size, reps, retrieveMs: read.ms, retrieveMBps: mbPerSecond(total, read.ms), hashOnlyMBps: mbPerSecond(total, hashMs), setupRss, storeRss: rss, peakRss: rss, sha256: hash.digest('hex') }
    }
    case 'fs': {
      const files = ranges.map((_, i) => path.join(dir, `copy-${i}`))
      const setupRss = peakRss()
      phase = 'store'
      const store = await timed(async () => {
        for (let i = 0; i < reps; i++) {
          await pipeline(fileRange(input, ranges[i] as number, size), createWriteStream(files[i] as string))
        }
      })
      const storeRss = peakRss()
      phase = 'retrieve'
      const read = await timed(async () => {
        let bytes = 0
        for (const file of files) bytes += await drain(createReadStream(file, { highWaterMark: DATA_CHUNK }))
        return bytes
      })
      check(read.value, total)
      return { impl, size, reps, ...phases(total, store.ms, read.ms), setupRss, storeRss, peakRss: peakRss() }
    }
    case 'helia': {
      const [{ unixfs }, { FsBlockstore }, { LevelDatastore }, { createHeliaLight }] = await Promise.all([
        import('@helia/unixfs'), import('blockstore-fs'), import('datastore-level'), import('helia')
      ])
      const blockstore = new FsBlockstore(path.join(dir, 'blocks'))
      await blockstore.open()
      const datastore = new LevelDatastore(path.join(dir, 'datastore'))
      await datastore.open()
      const helia = createHeliaLight({ blockstore, datastore })
      await helia.start()
      const ufs = unixfs(helia)
      const setupRss = peakRss()
      const cids: CID[] = []
      phase = 'store'
      const store = await timed(async () => {
        for (const start of ranges) cids.push(await ufs.addByteStream(fileRange(input, start, size), { profile: 'unixfs-v1-2025' }))
      })
      const storeRss = peakRss()
      partial = { ...partial, storeMs: store.ms, storeMBps: mbPerSecond(total, store.ms), setupRss, storeRss, cids: cids.map(String) }
      phase = 'retrieve'
      const read = await timed(async () => {
        let bytes = 0
        for (const cid of cids) bytes += await drain(ufs.cat(cid))
        return bytes
      })
      check(read.value, total)
      const rss = peakRss()
      await helia.stop()
      await datastore.close()
      return { impl, size, reps, ...phases(total, store.ms, read.ms), setupRss, storeRss, peakRss: rss, cids: cids.map(String) }
    }
    case 'kit': {
      const { createKit } = await importKit()
      const kit = await createKit({ dataDir: path.join(dir, 'kit'), offline: true })
      const setupRss = peakRss()
      const cids: string[] = []
      phase = 'store'
      const store = await timed(async () => {
        for (const [i, start] of ranges.entries()) {
          cids.push(await kit.storage.store(fileRange(input, start, size), { filename: `input-${i}.bin`, pin: true }))
        }
      })
      const storeRss = peakRss()
      partial = { ...partial, storeMs: store.ms, storeMBps: mbPerSecond(total, store.ms), setupRss, storeRss, cids }
      phase = 'retrieve'
      const read = await timed(async () => {
        let bytes = 0
        for (const cid of cids) bytes += await drain(kit.storage.stream(cid))
        return bytes
      })
      check(read.value, total)
      const rss = peakRss()
      // Outside the timed region: the bytes read back are the bytes stored.
      const expect = args.get('expect')
      let verified: boolean | undefined
      if (expect != null) {
        const hash = createHash('sha256')
        for (const cid of cids) for await (const chunk of kit.storage.stream(cid)) hash.update(chunk)
        verified = hash.digest('hex') === expect
      }
      await kit.stop()
      return { impl, size, reps, ...phases(total, store.ms, read.ms), setupRss, storeRss, peakRss: rss, cids, verified }
    }
    default:
      throw new Error(`unknown --impl ${String(impl)}`)
  }
}

/** Store `entries` small files, then time `listFiles()`. */
async function listCase (entries: number): Promise<ListResult> {
  const { createKit } = await importKit()
  const kit = await createKit({ dataDir: path.join(dir, 'kit'), offline: true })
  try {
    const populate = await timed(async () => {
      let next = 0
      const worker = async (): Promise<void> => {
        for (let i = next++; i < entries; i = next++) {
          await kit.storage.store(`entry ${i}\n`, { filename: `file-${String(i).padStart(6, '0')}.txt`, pin: true })
        }
      }
      await Promise.all(Array.from({ length: LIST_POPULATE_CONCURRENCY }, worker))
    })
    const first = await timed(async () => await kit.storage.listFiles())
    check(first.value.length, entries)
    const times: number[] = []
    for (let i = 0; i < LIST_RUNS; i++) times.push((await timed(async () => await kit.storage.listFiles())).ms)
    return { impl: 'list', entries, populateMs: populate.ms, firstMs: first.ms, medianMs: median(times), runs: LIST_RUNS, peakRss: peakRss() }
  } finally {
    await kit.stop()
  }
}

function phases (bytes: number, storeMs: number, retrieveMs: number): Pick<CaseResult, 'storeMs' | 'storeMBps' | 'retrieveMs' | 'retrieveMBps'> {
  return { storeMs, storeMBps: mbPerSecond(bytes, storeMs), retrieveMs, retrieveMBps: mbPerSecond(bytes, retrieveMs) }
}

function check (actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${impl}: read back ${actual}, expected ${expected}`)
}

function required (name: string): string {
  const value = args.get(name)
  if (value == null) throw new Error(`missing --${name}`)
  return value
}

/**
 * ipfs-kit as users run it, compiled (dist/, built by `npm run bench:storage`),
 * as stock Helia runs from its published JavaScript; from source through tsx
 * when IPFS_KIT_PEER_RUNTIME is not `dist` (running this file by hand).
 */
async function importKit (): Promise<typeof import('../src/index.ts')> {
  if (process.env.IPFS_KIT_PEER_RUNTIME !== 'dist') return await import('../src/index.ts')
  const built = new URL('../dist/src/index.js', import.meta.url)
  if (!existsSync(built)) throw new Error(`${fileURLToPath(built)} is missing: run \`npm run build\` first`)
  return await import(built.href)
}

