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
import { ModelNotFoundError, ModelPullError, OfflineError } from '../errors.ts'
import { heldSource, walkDag } from '../pins/index.ts'
import { readFile } from '../unixfs/index.ts'
import { prefetchFile } from '../transfer/index.ts'
import { hfCacheDir, materializeHfCache } from './hf-cache.ts'
import { checkManifestFiles } from './file-check.ts'
import { decodeManifest } from './manifest.ts'
import { assertModelName, assertRelativePath, assertRevision, DEFAULT_REVISION, modelRef } from './names.ts'
import type { Manifest, ManifestFile } from './manifest.ts'
import type { ModelIndex } from './model-index.ts'
import type { FindProvidersOptions, LocalModel, ModelProvider, PullOptions, PullResult } from './types.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { Hold } from '../pins/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'

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

  // 1. the manifest root: ours if we hold this revision whole, else from providers
  const localRecord = await c.index.get(name, options.revision ?? DEFAULT_REVISION)
  let root: CID | undefined
  let revision = options.revision ?? DEFAULT_REVISION
  const complete = localRecord != null && await walkDag(local, CID.parse(localRecord.root)).then(() => true, () => false)
  if (localRecord != null && complete) {
    root = CID.parse(localRecord.root)
  }
  let source: BlockSource = local
  if (root == null) {
    if (c.fetcher == null) throw new OfflineError(`pull of ${name}`)
    source = c.fetcher({ timeoutMs: options.blockTimeoutMs ?? MODEL_PULL_BLOCK_TIMEOUT_MS, hold, onFetched: (_, bytes) => { fetchedBytes += bytes.byteLength }, onProgress: options.onProgress })
    const chosen = await chooseProviders(c, name, options, providersUsed)
    root = CID.parse(chosen.root)
    revision = chosen.revision
  }

  // 2. the manifest, verified by its CID, then checked
  let manifest: Manifest
  try {
    manifest = decodeManifest(await source.getBytes(root, options))
  } catch (err: any) {
    if (err.name === 'NotFoundError') throw new ModelNotFoundError(modelRef(name, revision), 'no provider sent its manifest', { cause: err })
    throw err
  }
  if (manifest.name !== name || manifest.revision !== revision) {
    throw new ModelNotFoundError(modelRef(name, revision), `the provider's manifest is for ${modelRef(manifest.name, manifest.revision)}`)
  }
  for (const file of manifest.files) assertRelativePath(file.path)
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
  if (!await c.storage.pin(root.toString(), options)) {
    throw new ModelPullError(modelRef(name, revision), manifest.files.map(f => f.path), { cause: new Error(`the manifest ${root} could not be pinned: blocks missing locally`) })
  }
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

/**
 * Find providers; resolve on the first usable one (the revision asked for,
 * else `main`, else the first heard), and keep dialling the others as they
 * come so bitswap can use them all.
 */
async function chooseProviders (c: PullComponents, name: string, options: PullOptions, used: Set<string>): Promise<ModelProvider> {
  const found = c.find(name, { revision: options.revision, signal: options.signal, timeoutMs: options.findTimeoutMs ?? MODEL_FIND_TIMEOUT_MS })
  const dialAll = async (provider: ModelProvider): Promise<void> => {
    await c.dial(provider).then(() => { used.add(provider.peerId) }, () => {})
  }
  const seen: ModelProvider[] = []
  let chosen: ModelProvider | undefined
  while (chosen == null) {
    const next = await found.next()
    if (next.done === true) break
    seen.push(next.value)
    if (options.revision != null || next.value.revision === DEFAULT_REVISION) chosen = next.value
  }
  chosen ??= seen[0]
  if (chosen == null) throw new ModelNotFoundError(options.revision != null ? modelRef(name, options.revision) : name)
  // wait for the chosen provider only: a provider that went away must not hold the pull up for a
  // dial timeout; the others (and those the DHT names later) are dialled in the background
  await dialAll(chosen)
  void (async () => {
    await Promise.all(seen.filter(p => p !== chosen).map(dialAll))
    for await (const provider of found) await dialAll(provider)
  })().catch(() => {})
  return chosen
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
