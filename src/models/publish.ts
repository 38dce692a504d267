/**
 * Publishing a model directory: every file stored (streamed, sha256 computed
 * on the way), a manifest naming them, the manifest pinned (which pins every
 * file through its links), name@revision recorded locally, then announced.
 * A file unchanged since the last publish (same size and mtime, blocks still
 * here) is not imported again.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { CustomProgressEvent } from 'progress-events'
import { CHUNK_SIZE } from '../constants.ts'
import { InputNotFoundError, InvalidInputError } from '../errors.ts'
import { blockKey } from '../blocks/index.ts'
import { encodeSignedManifest, MANIFEST_TYPE, MANIFEST_VERSION } from './manifest.ts'
import { assertModelName, assertRelativePath, assertRevision, DEFAULT_REVISION } from './names.ts'
import type { ManifestFile } from './manifest.ts'
import type { LocalFileState, ModelIndex } from './model-index.ts'
import type { PublishOptions, PublishResult } from './types.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { PublisherKey } from '../trust/index.ts'
import { CID } from 'multiformats/cid'

export interface PublishComponents {
  storage: IPFSKitStorage
  blockstore: FsBlockstore
  index: ModelIndex
  /** Signs the manifest: name, revision, created and files. */
  publisher: PublisherKey
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

export async function publishModel (c: PublishComponents, dir: string, options: PublishOptions): Promise<PublishResult & { manifestFiles: ManifestFile[] }> {
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
      const before = previous?.files?.[rel]
      let state: LocalFileState
      const reused = before != null && before.size === stat.size && before.mtimeMs === stat.mtimeMs && await c.blockstore.has(CID.parse(before.cid))
      if (reused) {
        state = before
      } else {
        const hash = createHash('sha256')
        const cid = await c.storage.store(hashing(createReadStream(full, { highWaterMark: CHUNK_SIZE }), hash), { pin: false, hold, filename: `${name}/${rel}`, signal: options.signal })
        state = { size: stat.size, mtimeMs: stat.mtimeMs, cid, sha256: hash.digest('hex') }
        storedFiles++
      }
      states[rel] = state
      files.push({ path: rel, size: state.size, sha256: state.sha256, cid: CID.parse(state.cid) })
      bytes += state.size
      options.onProgress?.(new CustomProgressEvent('models:publish:file', { path: rel, size: state.size, reused }))
    }

    // nothing changed since the last publish of this revision by this publisher: keep its manifest (same root)
    if (previous != null && previous.publisher === c.publisher.id && storedFiles === 0 && sameFiles(previous.files, states)) {
      return { name, revision, root: previous.root, files: files.length, bytes, storedFiles, reusedFiles: files.length, manifestFiles: files }
    }
    const manifest = { type: MANIFEST_TYPE, version: MANIFEST_VERSION, name, revision, created: new Date().toISOString(), files } as const
    const { cid: root, bytes: manifestBytes } = await encodeSignedManifest(c.publisher, manifest)
    hold.add([blockKey(root)])
    await c.blockstore.put(root, manifestBytes)
    if (!await c.storage.pin(root.toString(), { signal: options.signal, origin: 'model' })) throw new InvalidInputError(`could not pin the manifest of ${name}`)
    await c.index.put({ name, revision, root: root.toString(), created: Date.now(), origin: 'published', files: states, publisher: c.publisher.id })
    // the revision now points at the new manifest; the old one no longer needs its pin
    if (previous != null && previous.root !== root.toString()) await c.storage.unpin(previous.root, { origin: 'model' })
    return { name, revision, root: root.toString(), files: files.length, bytes, storedFiles, reusedFiles: files.length - storedFiles, manifestFiles: files }
  } finally {
    // the manifest pin holds the files now (or the publish failed: they become ordinary unpinned content)
    hold.release()
  }
}

function sameFiles (before: Record<string, LocalFileState> | undefined, after: Record<string, LocalFileState>): boolean {
  if (before == null) return false
  const paths = Object.keys(after)
  return paths.length === Object.keys(before).length && paths.every(p => before[p]?.cid === after[p]?.cid)
}

async function * hashing (source: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk)
    yield chunk
  }
}
