/**
 * Publishing a directory as named content: every file stored (streamed,
 * sha256 computed on the way) — or, for a dataset's large line-based files,
 * split into shards at line boundaries — a signed manifest naming them, the
 * manifest pinned (which pins every file through its links), name@revision
 * recorded locally. A file unchanged since the last publish (same size and
 * mtime, same split, blocks still here) is not imported again.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { CustomProgressEvent } from 'progress-events'
import { CHUNK_SIZE } from '../constants.ts'
import { InputNotFoundError, InvalidInputError } from '../errors.ts'
import { blockKey } from '../blocks/index.ts'
import { lineShards, RecordCounter, shardPath } from './line-shards.ts'
import { encodeSignedManifest, MANIFEST_VERSION } from './manifest.ts'
import { assertModelName, assertRelativePath, assertRevision, DEFAULT_REVISION } from './names.ts'
import type { NamedKind } from './kinds.ts'
import type { ManifestFile } from './manifest.ts'
import type { LocalFileState, RecordIndex } from './record-index.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { Hold } from '../pins/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { PublisherKey } from '../trust/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressOptions } from 'progress-events'

export interface NamedPublishComponents {
  kind: NamedKind
  storage: IPFSKitStorage
  blockstore: FsBlockstore
  index: RecordIndex
  /** Signs the manifest: name, revision, created and files. */
  publisher: PublisherKey
}

export interface NamedPublishOptions extends AbortOptions, ProgressOptions<any> {
  name: string
  revision?: string
  /** Whether a file is line-based: its records are counted, and with `shardSize` it is split. */
  lineBased?(path: string): boolean
  /** Split line-based files larger than this into shards of about this size. */
  shardSize?: number
}

export interface NamedPublished {
  name: string
  revision: string
  root: string
  files: number
  bytes: number
  storedFiles: number
  reusedFiles: number
  manifestFiles: ManifestFile[]
}

/** Regular files under `dir`, as sorted relative paths with forward slashes. Symlinks and special files are refused. */
export async function listModelFiles (dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true })
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) await walk(child)
      else if (entry.isFile()) out.push(child)
      else throw new InvalidInputError(`${path.join(dir, child)} is not a regular file or directory (symlinks are not followed)`)
    }
  }
  try {
    await walk('')
  } catch (err: any) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new InputNotFoundError(dir, { cause: err })
    throw err
  }
  return out.sort()
}

export async function publishNamed (c: NamedPublishComponents, dir: string, options: NamedPublishOptions): Promise<NamedPublished> {
  const { name } = options
  const revision = options.revision ?? DEFAULT_REVISION
  assertModelName(name)
  assertRevision(revision)
  const paths = await listModelFiles(dir)
  for (const rel of paths) assertRelativePath(rel)
  if (paths.length === 0) throw new InvalidInputError(`${dir} holds no files to publish`)

  const previous = await c.index.get(name, revision)
  const files: ManifestFile[] = []
  const states: Record<string, LocalFileState> = {}
  // holds every stored file from its first block until the manifest pin holds it
  const hold = c.storage.hold()
  let storedFiles = 0
  let bytes = 0
  try {
    for (const rel of paths) {
      options.signal?.throwIfAborted()
      const full = path.join(dir, rel)
      const stat = await fs.stat(full)
      const lines = options.lineBased?.(rel) === true
      const split = lines && options.shardSize != null && stat.size > options.shardSize ? options.shardSize : undefined
      const before = previous?.files?.[rel]
      let state: LocalFileState
      // the same bytes, published the same way (whole or split at the same size, records counted or not), blocks still here
      const reused = before != null && before.size === stat.size && before.mtimeMs === stat.mtimeMs && before.shardSize === split &&
        (split != null || (before.records != null) === lines) && await allHere(c.blockstore, before)
      if (reused) {
        state = before
      } else {
        state = split == null
          ? await storeWhole(c, full, stat, `${name}/${rel}`, lines, hold, options)
          : await storeSplit(c, full, stat, rel, `${name}/${rel}`, split, hold, options)
        storedFiles++
      }
      states[rel] = state
      for (const shard of state.shards ?? [{ path: rel, size: state.size, sha256: state.sha256, cid: state.cid, records: state.records }]) {
        files.push({ path: shard.path, size: shard.size, sha256: shard.sha256, cid: CID.parse(shard.cid), ...(shard.records != null ? { records: shard.records } : {}) })
      }
      bytes += state.size
      options.onProgress?.(new CustomProgressEvent(`${c.kind.events}:publish:file`, { path: rel, size: state.size, reused, shards: state.shards?.length ?? 1 }))
    }
    const seen = new Set<string>()
    for (const file of files) {
      if (seen.has(file.path)) throw new InvalidInputError(`${file.path} is both a file of ${dir} and a shard of a split file: rename one`)
      seen.add(file.path)
    }

    // nothing changed since the last publish of this revision by this publisher: keep its manifest (same root)
    if (previous != null && previous.publisher === c.publisher.id && storedFiles === 0 && sameFiles(previous.files, states)) {
      return { name, revision, root: previous.root, files: files.length, bytes, storedFiles, reusedFiles: paths.length, manifestFiles: files }
    }
    const manifest = { type: c.kind.manifestType, version: MANIFEST_VERSION, name, revision, created: new Date().toISOString(), files } as const
    const { cid: root, bytes: manifestBytes } = await encodeSignedManifest(c.publisher, manifest)
    hold.add([blockKey(root)])
    await c.blockstore.put(root, manifestBytes)
    if (!await c.storage.pin(root.toString(), { signal: options.signal, origin: c.kind.kind })) throw new InvalidInputError(`could not pin the manifest of ${name}`)
    await c.index.put({ name, revision, root: root.toString(), created: Date.now(), origin: 'published', files: states, publisher: c.publisher.id })
    // the revision now points at the new manifest; the old one no longer needs its pin
    if (previous != null && previous.root !== root.toString()) await c.storage.unpin(previous.root, { origin: c.kind.kind })
    return { name, revision, root: root.toString(), files: files.length, bytes, storedFiles, reusedFiles: paths.length - storedFiles, manifestFiles: files }
  } finally {
    // the manifest pin holds the files now (or the publish failed: they become ordinary unpinned content)
    hold.release()
  }
}

async function storeWhole (c: NamedPublishComponents, full: string, stat: { size: number, mtimeMs: number }, filename: string, lines: boolean, hold: Hold, options: AbortOptions): Promise<LocalFileState> {
  const hash = createHash('sha256')
  const counter = new RecordCounter()
  const source = hashing(createReadStream(full, { highWaterMark: CHUNK_SIZE }), hash)
  const cid = await c.storage.store(lines ? counter.count(source) : source, { pin: false, hold, filename, signal: options.signal })
  return { size: stat.size, mtimeMs: stat.mtimeMs, cid, sha256: hash.digest('hex'), ...(lines ? { records: counter.records } : {}) }
}

async function storeSplit (c: NamedPublishComponents, full: string, stat: { size: number, mtimeMs: number }, rel: string, filename: string, shardSize: number, hold: Hold, options: AbortOptions): Promise<LocalFileState> {
  const whole = createHash('sha256')
  const shards: NonNullable<LocalFileState['shards']> = []
  for await (const shard of lineShards(hashing(createReadStream(full, { highWaterMark: CHUNK_SIZE }), whole), shardSize)) {
    const hash = createHash('sha256')
    const counter = new RecordCounter()
    let size = 0
    const path = shardPath(rel, shards.length)
    const cid = await c.storage.store(counter.count(hashing(shard, hash, n => { size += n })), { pin: false, hold, filename: shardPath(filename, shards.length), signal: options.signal })
    shards.push({ path, size, sha256: hash.digest('hex'), cid, records: counter.records })
  }
  return { size: stat.size, mtimeMs: stat.mtimeMs, cid: shards[0]?.cid ?? '', sha256: whole.digest('hex'), shards, shardSize }
}

async function allHere (blockstore: FsBlockstore, state: LocalFileState): Promise<boolean> {
  for (const cid of state.shards?.map(s => s.cid) ?? [state.cid]) if (!await blockstore.has(CID.parse(cid))) return false
  return true
}

function sameFiles (before: Record<string, LocalFileState> | undefined, after: Record<string, LocalFileState>): boolean {
  if (before == null) return false
  const key = (s: LocalFileState | undefined): string => s == null ? '' : `${s.cid}/${s.shards?.map(x => x.cid).join(',') ?? ''}`
  const paths = Object.keys(after)
  return paths.length === Object.keys(before).length && paths.every(p => key(before[p]) === key(after[p]))
}

async function * hashing (source: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>, onBytes?: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk)
    onBytes?.(chunk.byteLength)
    yield chunk
  }
}
