/**
 * Fetching a list of manifest files into this node (and `dest`): several at
 * once, each block verified against its CID, every leaf first fetched in
 * random order from all connected providers (pullers of one name trade
 * pieces), then the file read from here, written through a `.part` file and
 * checked against the manifest's size and sha256. A file whose blocks no
 * provider sends in time is reported incomplete, the others carry on.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { once } from 'node:events'
import { CustomProgressEvent } from 'progress-events'
import { CHUNK_SIZE, MODEL_PULL_FILE_CONCURRENCY, MODEL_PULL_MAX_FILE_CONCURRENCY, TRANSFER_PREFETCH_WANTS } from '../constants.ts'
import { prefetchFile, shuffled } from '../transfer/index.ts'
import { readFile } from '../unixfs/index.ts'
import type { ManifestFile } from './manifest.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressOptions } from 'progress-events'

export interface FetchFilesOptions extends AbortOptions, ProgressOptions<any> {
  /** Write each file here, under its path. */
  dest?: string
  /** Prefetch every leaf before reading (a networked source). */
  prefetch: boolean
  /** Prefix of the progress events: `models` → `models:pull:progress`, `models:pull:file`. */
  events: string
  /** Providers used so far (for progress). */
  peers(): number
  /** The error for a file whose bytes do not match the manifest. */
  mismatch(path: string, cause: Error): Error
  /** @default fileConcurrency(files) */
  concurrency?: number
}

/** Fetch `files`; resolves with the paths no provider completed (sorted). Any other error rejects. */
export async function fetchFiles (source: BlockSource, files: readonly ManifestFile[], options: FetchFilesOptions): Promise<{ incomplete: string[] }> {
  const started = Date.now()
  const bytesTotal = files.reduce((n, f) => n + f.size, 0)
  let bytesDone = 0
  let lastReport = 0
  const report = (file?: string, force = false): void => {
    const now = Date.now()
    if (!force && now - lastReport < 100) return
    lastReport = now
    const seconds = Math.max(0.001, (now - started) / 1000)
    options.onProgress?.(new CustomProgressEvent(`${options.events}:pull:progress`, { bytesDone, bytesTotal, rate: bytesDone / seconds, peers: options.peers(), file }))
  }
  const incomplete: string[] = []
  // from peers, each puller takes the files in an order of its own, as it takes a file's leaves:
  // pullers of one name that all start on the same files have no pieces to trade
  const queue = options.prefetch ? shuffled([...files]) : [...files]
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file != null; file = queue.shift()) {
      try {
        const path = file.path
        if (options.prefetch) {
          // every leaf local first, in random order (pullers of one name trade pieces), then the file is read from here
          await prefetchFile(source, file.cid, { signal: options.signal, size: file.size, path, onLeaf: n => { bytesDone += n; report(path) } })
          await fetchFile(source, file, options.dest, options, () => {})
        } else {
          await fetchFile(source, file, options.dest, options, n => { bytesDone += n; report(path) })
        }
        options.onProgress?.(new CustomProgressEvent(`${options.events}:pull:file`, { path: file.path, size: file.size }))
      } catch (err: any) {
        options.signal?.throwIfAborted()
        if (err.name !== 'NotFoundError') throw err
        incomplete.push(file.path)
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? fileConcurrency(files) }, worker))
  report(undefined, true)
  return { incomplete: incomplete.sort() }
}

/**
 * Files fetched at once: MODEL_PULL_FILE_CONCURRENCY, more when the files are small, so that about
 * TRANSFER_PREFETCH_WANTS leaves are wanted at once (64 dataset shards of 4 MiB: 16 at once, not 4),
 * at most MODEL_PULL_MAX_FILE_CONCURRENCY.
 */
export function fileConcurrency (files: readonly ManifestFile[]): number {
  if (files.length === 0) return 1
  const meanLeaves = Math.max(1, files.reduce((n, f) => n + f.size, 0) / files.length / CHUNK_SIZE)
  return Math.min(MODEL_PULL_MAX_FILE_CONCURRENCY, Math.max(MODEL_PULL_FILE_CONCURRENCY, Math.ceil(TRANSFER_PREFETCH_WANTS / meanLeaves)))
}

/** One file: every block through `source` (verified), written to `dest` when given, sha256 checked. */
async function fetchFile (source: BlockSource, file: ManifestFile, dest: string | undefined, options: FetchFilesOptions, progress: (bytes: number) => void): Promise<void> {
  const target = dest == null ? undefined : path.join(dest, ...file.path.split('/'))
  const hash = createHash('sha256')
  let out: ReturnType<typeof createWriteStream> | undefined
  if (target != null) {
    await fs.mkdir(path.dirname(target), { recursive: true })
    out = createWriteStream(`${target}.part`)
  }
  try {
    let size = 0
    for await (const chunk of readFile(source, file.cid, { ...options, length: file.size })) {
      hash.update(chunk)
      size += chunk.byteLength
      progress(chunk.byteLength)
      if (out != null && !out.write(chunk)) await once(out, 'drain')
    }
    const digest = hash.digest('hex')
    if (size !== file.size || digest !== file.sha256) {
      throw options.mismatch(file.path, new Error(`content of ${file.path} does not match the manifest (size ${size}/${file.size}, sha256 ${digest})`))
    }
    if (out != null && target != null) {
      out.end()
      await once(out, 'finish')
      await fs.rename(`${target}.part`, target)
    }
  } catch (err) {
    out?.destroy()
    if (target != null) await fs.rm(`${target}.part`, { force: true })
    throw err
  }
}
