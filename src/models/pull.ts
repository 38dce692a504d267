/**
 * Pulling a model by name: find providers, fetch the manifest they name
 * (content-addressed, so verified), then every file — several at once, each
 * block hashed against its CID — from all providers (bitswap asks every
 * connected provider; a provider that dies is simply no longer asked).
 * Blocks already here are not fetched again, so a pull killed half-way and
 * run again fetches only what is missing. Files go to `dest` through
 * `.part` files renamed when complete and sha256-checked.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { once } from 'node:events'
import { CID } from 'multiformats/cid'
import { CustomProgressEvent } from 'progress-events'
import { MODEL_FIND_TIMEOUT_MS, MODEL_PULL_BLOCK_TIMEOUT_MS, MODEL_PULL_FILE_CONCURRENCY } from '../constants.ts'
import { ModelPullError, ModelYankedError, OfflineError } from '../errors.ts'
import { heldSource, walkDag } from '../pins/index.ts'
import { readFile } from '../unixfs/index.ts'
import { prefetchFile } from '../transfer/index.ts'
import { assertDestinationFree } from './dest-guard.ts'
import { hfCacheDir, materializeHfCache } from './hf-cache.ts'
import { chooseManifest, orgOf } from './candidates.ts'
import { checkManifestFiles } from './file-check.ts'
import { decodeModelRecord } from './manifest.ts'
import { assertModelName, assertRelativePath, assertRevision, DEFAULT_REVISION, modelRef } from './names.ts'
import type { Manifest, ManifestFile } from './manifest.ts'
import type { ModelIndex } from './model-index.ts'
import type { FindProvidersOptions, LocalModel, ModelProvider, PullOptions, PullResult } from './types.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { Hold } from '../pins/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { TrustStore } from '../trust/index.ts'

export interface PullComponents {
  storage: IPFSKitStorage
  local: BlockSource
  /** A networked source with a per-block timeout; absent offline. */
  fetcher?(options: FetcherOptions): BlockSource
  index: ModelIndex
  find(name: string, options: FindProvidersOptions): AsyncGenerator<ModelProvider>
  /** Connect to a provider; errors are the caller's to ignore. */
  dial(provider: ModelProvider): Promise<void>
  announce(model: LocalModel): Promise<void>
  env?: NodeJS.ProcessEnv
  /** Who may publish for which org (configured, recorded, first use). */
  trust: TrustStore
  /** Config `models.allow_unsigned`. */
  allowUnsigned: boolean
}

export async function pullModel (c: PullComponents, name: string, options: PullOptions = {}): Promise<PullResult> {
  assertModelName(name)
  if (options.revision != null) assertRevision(options.revision)
  // Every block this pull reads or fetches is held from before it is asked for until the pin
  // that covers the model lands: a gc (automatic or not) in between leaves it alone.
  const hold = c.storage.hold()
  try {
    return await pullHeld(c, name, options, hold)
  } finally {
    hold.release()
  }
}

async function pullHeld (c: PullComponents, name: string, options: PullOptions, hold: Hold): Promise<PullResult> {
  const started = Date.now()
  let fetchedBytes = 0
  const providersUsed = new Set<string>()
  const local = heldSource(c.local, hold)

  // 1. the manifest: ours if we hold this revision whole, else the newest trusted one providers name
  const localRecord = await c.index.get(name, options.revision ?? DEFAULT_REVISION)
  let root: CID | undefined
  let revision = options.revision ?? DEFAULT_REVISION
  let manifest: Manifest | undefined
  let firstUse: { org: string, publisher: string } | undefined
  const complete = localRecord != null && await walkDag(local, CID.parse(localRecord.root)).then(() => true, () => false)
  if (localRecord != null && complete) {
    root = CID.parse(localRecord.root)
    const record = await decodeModelRecord(await local.getBytes(root, options))
    if (record.kind === 'yank') throw new ModelYankedError(modelRef(name, revision), record.publisher ?? 'unknown')
    manifest = record.manifest
  }
  let source: BlockSource = local
  if (root == null || manifest == null) {
    if (c.fetcher == null) throw new OfflineError(`pull of ${name}`)
    const network = c.fetcher({ timeoutMs: options.blockTimeoutMs ?? MODEL_PULL_BLOCK_TIMEOUT_MS, hold, onFetched: (_, bytes) => { fetchedBytes += bytes.byteLength }, onProgress: options.onProgress })
    source = network
    const chosen = await chooseManifest({
      find: c.find,
      dial: c.dial,
      fetch: async (cid, o) => await network.getBytes(cid, o),
      trust: c.trust,
      allowUnsigned: c.allowUnsigned
    }, name, { ...options, findTimeoutMs: options.findTimeoutMs ?? MODEL_FIND_TIMEOUT_MS }, providersUsed)
    root = chosen.root
    revision = chosen.revision
    manifest = chosen.manifest
    if (chosen.firstUse && chosen.publisher != null) firstUse = { org: orgOf(name), publisher: chosen.publisher }
  }
  for (const file of manifest.files) assertRelativePath(file.path)
  // before any byte goes to dest: nothing there that this model did not write is replaced
  if (options.dest != null && options.force !== true) await assertDestinationFree(options.dest, manifest.files, options)
  const bytesTotal = manifest.files.reduce((n, f) => n + f.size, 0)
  options.onProgress?.(new CustomProgressEvent('models:pull:manifest', { root: root.toString(), files: manifest.files.length, bytesTotal }))

  // every file's root declares the manifest's size before any leaf is fetched or byte written (a DAG bomb is refused here)
  await checkManifestFiles(source, manifest.files, options)

  // 3. the files, several at once; blocks stay here even if a file fails
  let bytesDone = 0
  let lastReport = 0
  const report = (file?: string, force = false): void => {
    const now = Date.now()
    if (!force && now - lastReport < 100) return
    lastReport = now
    const seconds = Math.max(0.001, (now - started) / 1000)
    options.onProgress?.(new CustomProgressEvent('models:pull:progress', { bytesDone, bytesTotal, rate: bytesDone / seconds, peers: providersUsed.size, file }))
  }
  const incomplete: string[] = []
  const queue = [...manifest.files]
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file != null; file = queue.shift()) {
      try {
        const path = file.path
        if (source !== local) {
          // every leaf local first, in random order (pullers of one model trade pieces), then the file is read from here
          await prefetchFile(source, file.cid, { signal: options.signal, size: file.size, path, onLeaf: n => { bytesDone += n; report(path) } })
          await fetchFile(source, file, options.dest, options, () => {})
        } else {
          await fetchFile(source, file, options.dest, options, n => { bytesDone += n; report(path) })
        }
        options.onProgress?.(new CustomProgressEvent('models:pull:file', { path: file.path, size: file.size }))
      } catch (err: any) {
        options.signal?.throwIfAborted()
        if (err.name !== 'NotFoundError') throw err
        incomplete.push(file.path)
      }
    }
  }
  await Promise.all(Array.from({ length: MODEL_PULL_FILE_CONCURRENCY }, worker))
  report(undefined, true)
  if (incomplete.length > 0) throw new ModelPullError(modelRef(name, revision), incomplete.sort())

  // 4. pin (everything is local now and held), then remember and tell the others: a pull
  // whose pin fails records nothing and announces nothing
  if (!await c.storage.pin(root.toString(), { signal: options.signal, origin: 'model' })) {
    throw new ModelPullError(modelRef(name, revision), manifest.files.map(f => f.path), { cause: new Error(`the manifest ${root} could not be pinned: blocks missing locally`) })
  }
  // trust on first use: the org's first publisher is recorded once its model has landed
  if (firstUse != null) await c.trust.trust(firstUse.org, firstUse.publisher)
  const model: LocalModel = { name, revision, root: root.toString(), created: Date.now(), origin: localRecord?.origin ?? 'pulled' }
  if (localRecord?.root !== model.root) await c.index.put(model)
  await c.announce(model).catch(() => {})

  let hfSnapshot: string | undefined
  if (options.hfCache != null && options.hfCache !== false) {
    const dir = typeof options.hfCache === 'string' ? options.hfCache : hfCacheDir(c.env)
    hfSnapshot = await materializeHfCache(dir, manifest, root.toString(), file => readFile(c.local, file.cid, options))
  }
  return { name, revision, root: root.toString(), files: manifest.files.length, bytes: bytesTotal, fetchedBytes, providers: [...providersUsed], dest: options.dest, hfSnapshot }
}

/** One file: every block through `source` (verified), written to `dest` when given, sha256 checked. */
async function fetchFile (source: BlockSource, file: ManifestFile, dest: string | undefined, options: PullOptions, progress: (bytes: number) => void): Promise<void> {
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
      throw new ModelPullError(file.path, [file.path], { cause: new Error(`content of ${file.path} does not match the manifest (size ${size}/${file.size}, sha256 ${digest})`) })
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
