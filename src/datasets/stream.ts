/**
 * `datasets.stream`: a rank's share as records (line-based shards) or whole
 * shards, in a shard order shuffled per epoch from the seed. The next
 * `prefetch` shards are fetched (verified, pinned) while the consumer reads
 * the current one; past `maxBytes` of shards this stream pinned, consumed
 * shards are unpinned first (gc then reclaims them). `state()` is where the
 * consumer stands — updated before each item is handed over, so a state taken
 * after any item resumes at the next one: nothing repeated, nothing skipped.
 */
import { createHash } from 'node:crypto'
import { DATASETS_MAX_RECORD_BYTES, MODEL_PULL_BLOCK_TIMEOUT_MS } from '../constants.ts'
import { InvalidInputError } from '../errors.ts'
import { checkManifestFiles, DATASET_KIND } from '../named/index.ts'
import { prefetchFile } from '../transfer/index.ts'
import { readFile } from '../unixfs/index.ts'
import { planRank } from './plan.ts'
import type { Manifest, ManifestFile } from '../named/index.ts'
import type { DatasetStream, StreamItem, StreamOptions, StreamState } from './types.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { CID } from 'multiformats/cid'
import type { AbortOptions } from '@libp2p/interface'

export interface StreamComponents {
  storage: IPFSKitStorage
  local: BlockSource
  fetcher?(options: FetcherOptions): BlockSource
  resolve(options: AbortOptions & { revision?: string, findTimeoutMs?: number, manifestTimeoutMs?: number }): Promise<{ root: CID, revision: string, manifest: Manifest }>
}

const NEWLINE = 10

export function openStream (c: StreamComponents, name: string, options: StreamOptions & { prefetch: number, maxBytes: number }): DatasetStream {
  const given = options.state
  if (given != null) checkState(given, name, options)
  let state: StreamState | undefined = given
  return {
    state: () => {
      if (state == null) throw new InvalidInputError('the stream has no state before its first item')
      return { ...state }
    },
    [Symbol.asyncIterator]: () => iterate()[Symbol.asyncIterator]()
  }

  async function * iterate (): AsyncGenerator<StreamItem> {
    const { root, revision, manifest } = await c.resolve({ revision: given?.revision ?? options.revision, signal: options.signal, findTimeoutMs: options.findTimeoutMs, manifestTimeoutMs: options.manifestTimeoutMs })
    if (given != null && given.root !== root.toString()) {
      throw new InvalidInputError(`the stream state is for ${name} at ${given.root}, but ${revision} is now ${root.toString()}: start the epoch again`)
    }
    const epoch = options.epoch ?? 0
    const seed = options.seed ?? 0
    const order = shuffle(planRank(manifest.files, options.rank, options.world), seed, epoch)
    const start = given?.shard ?? 0
    let skip = given?.record ?? 0
    state = { v: 1, name, revision, root: root.toString(), rank: options.rank, world: options.world, epoch, seed, shard: start, record: skip }

    const hold = c.storage.hold()
    // a consumer that stops (break, error) stops the shards still being fetched ahead
    const stopped = new AbortController()
    const fetchSignal = AbortSignal.any([stopped.signal, ...(options.signal != null ? [options.signal] : [])])
    const network = c.fetcher?.({ timeoutMs: options.blockTimeoutMs ?? MODEL_PULL_BLOCK_TIMEOUT_MS, hold })
    const source = network ?? c.local
    const pinnedBefore = new Set<string>()
    for await (const pin of c.storage.pins(options)) pinnedBefore.add(pin.cid)
    const ready = new Map<number, Promise<void>>()
    const ensure = (i: number): Promise<void> => {
      let p = ready.get(i)
      if (p == null) {
        const file = order[i] as ManifestFile
        p = fetchShard(c.storage, source, file, { signal: fetchSignal })
        p.catch(() => {})
        ready.set(i, p)
      }
      return p
    }
    // shards this stream pinned, consumed ones first in the order they were consumed
    const ours: Array<{ cid: string, size: number, consumed: boolean }> = []
    try {
      for (let i = start; i < order.length; i++) {
        for (let j = i; j < Math.min(order.length, i + 1 + options.prefetch); j++) void ensure(j)
        const file = order[i] as ManifestFile
        await ensure(i)
        const cid = file.cid.toString()
        const entry = pinnedBefore.has(cid) ? undefined : { cid, size: file.size, consumed: false }
        if (entry != null) ours.push(entry)
        if (file.records != null) {
          let index = 0
          for await (const record of records(c.local, file, options)) {
            if (index >= skip) {
              state = { ...state, shard: i, record: index + 1 }
              yield { path: file.path, index, record, cid, size: file.size }
            }
            index++
          }
        } else if (skip === 0) {
          state = { ...state, shard: i, record: 1 }
          yield { path: file.path, index: 0, cid, size: file.size }
        }
        skip = 0
        ready.delete(i)
        if (entry != null) entry.consumed = true
        await evict(ours, options.maxBytes)
      }
    } finally {
      stopped.abort()
      hold.release()
    }
  }

  async function evict (ours: Array<{ cid: string, size: number, consumed: boolean }>, maxBytes: number): Promise<void> {
    if (maxBytes <= 0) return
    let total = ours.reduce((n, s) => n + s.size, 0)
    for (let k = 0; k < ours.length && total > maxBytes;) {
      const s = ours[k] as { cid: string, size: number, consumed: boolean }
      if (!s.consumed) {
        k++
        continue
      }
      await c.storage.unpin(s.cid, { origin: 'dataset' })
      total -= s.size
      ours.splice(k, 1)
    }
  }
}

function checkState (s: StreamState, name: string, o: StreamOptions): void {
  const ok = s?.v === 1 && s.name === name && s.rank === o.rank && s.world === o.world && s.epoch === (o.epoch ?? 0) && s.seed === (o.seed ?? 0) &&
    Number.isSafeInteger(s.shard) && s.shard >= 0 && Number.isSafeInteger(s.record) && s.record >= 0 && typeof s.root === 'string' && typeof s.revision === 'string'
  if (!ok) throw new InvalidInputError('the stream state does not belong to this stream (name, rank, world, epoch and seed must be the ones it was taken with)')
}

/** Every block of a shard here (checked against its declared size first), then pinned. */
async function fetchShard (storage: IPFSKitStorage, source: BlockSource, file: ManifestFile, options: AbortOptions): Promise<void> {
  if ((await checkManifestFiles(source, [file], options)).length > 0) throw DATASET_KIND.pullError(file.path, [file.path])
  await prefetchFile(source, file.cid, { signal: options.signal, size: file.size, path: file.path })
  if (!await storage.pin(file.cid.toString(), { signal: options.signal, origin: 'dataset' })) throw DATASET_KIND.pullError(file.path, [file.path])
}

/** The lines of a shard read from here, sha256-checked against the manifest at the end. */
async function * records (local: BlockSource, file: ManifestFile, options: AbortOptions): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  const hash = createHash('sha256')
  let carry: Uint8Array[] = []
  let carried = 0
  for await (const chunk of readFile(local, file.cid, { ...options, length: file.size })) {
    hash.update(chunk)
    let from = 0
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
      carry.push(chunk.subarray(from, nl))
      yield decoder.decode(concat(carry, carried + nl - from))
      carry = []
      carried = 0
      from = nl + 1
    }
    if (from < chunk.byteLength) {
      carry.push(chunk.subarray(from))
      carried += chunk.byteLength - from
      if (carried > DATASETS_MAX_RECORD_BYTES) throw new InvalidInputError(`${file.path} has a record longer than ${DATASETS_MAX_RECORD_BYTES} bytes (DATASETS_MAX_RECORD_BYTES)`)
    }
  }
  if (hash.digest('hex') !== file.sha256) throw DATASET_KIND.pullError(file.path, [file.path], { cause: new Error(`content of ${file.path} does not match the manifest`) })
  if (carried > 0) yield decoder.decode(concat(carry, carried))
}

function concat (parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** The shards in an order fixed by (seed, epoch): Fisher–Yates over a seeded PRNG, from the path-sorted plan. */
export function shuffle<T> (items: readonly T[], seed: number, epoch: number): T[] {
  const out = [...items]
  let s = createHash('sha256').update(`${seed}\n${epoch}`).digest().readUInt32BE(0)
  const next = (): number => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
