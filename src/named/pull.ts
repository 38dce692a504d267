/**
 * Pulling named content (a model, a dataset's share) by name: find
 * providers, fetch the manifest they name (content-addressed, so verified,
 * then its signature and publisher checked), then the selected files —
 * several at once, each block hashed against its CID — from every connected
 * provider (a provider that dies or lies is simply no longer asked). Blocks
 * already here are not fetched again, so a pull killed half-way and run
 * again fetches only what is missing. Files go to `dest` through `.part`
 * files renamed when complete and sha256-checked. Everything read or fetched
 * is held from gc until the pin covering it lands; a failed pin fails the pull.
 */
import { CID } from 'multiformats/cid'
import { CustomProgressEvent } from 'progress-events'
import { MODEL_FIND_TIMEOUT_MS, MODEL_PULL_BLOCK_TIMEOUT_MS } from '../constants.ts'
import { ModelYankedError, OfflineError } from '../errors.ts'
import { heldSource, walkDag } from '../pins/index.ts'
import { chooseManifest, orgOf } from './candidates.ts'
import { assertDestinationFree } from './dest-guard.ts'
import { fetchFiles } from './fetch-files.ts'
import { checkManifestFiles } from './file-check.ts'
import { decodeRecord } from './manifest.ts'
import { assertModelName, assertRelativePath, assertRevision, DEFAULT_REVISION, modelRef } from './names.ts'
import type { NamedKind } from './kinds.ts'
import type { Manifest, ManifestFile } from './manifest.ts'
import type { NamedRecord, RecordIndex } from './record-index.ts'
import type { FindProvidersOptions, LocalRecord, NamedProvider } from './types.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { Hold } from '../pins/index.ts'
import type { FetcherOptions } from '../transfer/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { TrustStore } from '../trust/index.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressOptions } from 'progress-events'

export interface NamedPullComponents {
  kind: NamedKind
  storage: IPFSKitStorage
  local: BlockSource
  /** A networked source with a per-block timeout; absent offline. */
  fetcher?(options: FetcherOptions): BlockSource
  index: RecordIndex
  find(name: string, options: FindProvidersOptions): AsyncGenerator<NamedProvider>
  /** Connect to a provider; errors are the caller's to ignore. */
  dial(provider: NamedProvider): Promise<void>
  announce(record: LocalRecord): Promise<void>
  /** Who may publish for which org (configured, recorded, first use). */
  trust: TrustStore
  /** Config `models.allow_unsigned`. */
  allowUnsigned: boolean
}

export interface NamedPullOptions extends AbortOptions, ProgressOptions<any> {
  revision?: string
  dest?: string
  force?: boolean
  blockTimeoutMs?: number
  findTimeoutMs?: number
  manifestTimeoutMs?: number
}

/** What a kind pulls of a manifest and how it keeps it. */
export interface PullShape {
  /** The files to fetch. @default every file */
  select?(manifest: Manifest, root: CID): ManifestFile[] | Promise<ManifestFile[]>
  /** Pin what was fetched (everything is local and held). @default the root, which pins every file */
  pin?(root: CID, files: ManifestFile[], options: AbortOptions): Promise<boolean>
  /** The local record to keep. @default the record as is */
  record?(record: LocalRecord, previous: NamedRecord | undefined, files: ManifestFile[]): NamedRecord
}

export interface NamedPulled {
  name: string
  revision: string
  root: CID
  manifest: Manifest
  /** The files fetched (the selection). */
  files: ManifestFile[]
  bytes: number
  /** Bytes that had to come from peers (the rest were already local). */
  fetchedBytes: number
  providers: string[]
}

export async function pullNamed (c: NamedPullComponents, name: string, options: NamedPullOptions, shape: PullShape = {}): Promise<NamedPulled> {
  assertModelName(name)
  if (options.revision != null) assertRevision(options.revision)
  // Every block this pull reads or fetches is held from before it is asked for until the pin
  // that covers it lands: a gc (automatic or not) in between leaves it alone.
  const hold = c.storage.hold()
  try {
    return await pullHeld(c, name, options, shape, hold)
  } finally {
    hold.release()
  }
}

async function pullHeld (c: NamedPullComponents, name: string, options: NamedPullOptions, shape: PullShape, hold: Hold): Promise<NamedPulled> {
  const events = c.kind.events
  let fetchedBytes = 0
  const providersUsed = new Set<string>()
  const local = heldSource(c.local, hold)
  const select = async (manifest: Manifest, root: CID): Promise<ManifestFile[]> => await shape.select?.(manifest, root) ?? manifest.files

  // 1. the manifest: ours if we hold this revision's selection whole, else the newest trusted one providers name
  const localRecord = await c.index.get(name, options.revision ?? DEFAULT_REVISION)
  let root: CID | undefined
  let revision = options.revision ?? DEFAULT_REVISION
  let manifest: Manifest | undefined
  let files: ManifestFile[] = []
  let firstUse: { org: string, publisher: string } | undefined
  if (localRecord != null && await local.has(CID.parse(localRecord.root), options)) {
    const record = await decodeRecord(await local.getBytes(CID.parse(localRecord.root), options), c.kind)
    if (record.kind === 'yank') throw new ModelYankedError(modelRef(name, revision), record.publisher ?? 'unknown')
    const selected = await select(record.manifest, CID.parse(localRecord.root))
    const complete = await Promise.all(selected.map(async f => await walkDag(local, f.cid).then(() => true, () => false)))
    if (complete.every(Boolean)) {
      root = CID.parse(localRecord.root)
      manifest = record.manifest
      files = selected
    }
  }
  let source: BlockSource = local
  if (root == null || manifest == null) {
    if (c.fetcher == null) throw new OfflineError(`pull of ${name}`)
    const network = c.fetcher({ timeoutMs: options.blockTimeoutMs ?? MODEL_PULL_BLOCK_TIMEOUT_MS, hold, onFetched: (_, bytes) => { fetchedBytes += bytes.byteLength }, onProgress: options.onProgress })
    source = network
    const chosen = await chooseManifest({
      kind: c.kind,
      find: c.find,
      dial: c.dial,
      fetch: async (cid, o) => await network.getBytes(cid, o),
      trust: c.trust,
      allowUnsigned: c.allowUnsigned
    }, name, { ...options, findTimeoutMs: options.findTimeoutMs ?? MODEL_FIND_TIMEOUT_MS }, providersUsed)
    root = chosen.root
    revision = chosen.revision
    manifest = chosen.manifest
    files = await select(manifest, root)
    if (chosen.firstUse && chosen.publisher != null) firstUse = { org: orgOf(name), publisher: chosen.publisher }
  }
  for (const file of files) assertRelativePath(file.path)
  // before any byte goes to dest: nothing there that this pull did not write is replaced
  if (options.dest != null && options.force !== true) await assertDestinationFree(options.dest, files, options)
  const bytesTotal = files.reduce((n, f) => n + f.size, 0)
  options.onProgress?.(new CustomProgressEvent(`${events}:pull:manifest`, { root: root.toString(), files: files.length, bytesTotal }))

  // every file's root declares the manifest's size before any leaf is fetched or byte written (a DAG bomb is refused here)
  const rootless = new Set(await checkManifestFiles(source, files, options))

  // 2. the files, several at once; blocks stay here even if a file fails
  const fetched = await fetchFiles(source, files.filter(f => !rootless.has(f.path)), { ...options, prefetch: source !== local, events, peers: () => providersUsed.size, mismatch: (path, cause) => c.kind.pullError(path, [path], { cause }) })
  const incomplete = [...rootless, ...fetched.incomplete].sort()
  if (incomplete.length > 0) throw c.kind.pullError(modelRef(name, revision), incomplete)

  // 3. pin (everything is local now and held), then remember and tell the others: a pull
  // whose pin fails records nothing and announces nothing
  const pinned = shape.pin != null ? await shape.pin(root, files, options) : await c.storage.pin(root.toString(), { signal: options.signal, origin: c.kind.kind })
  if (!pinned) {
    throw c.kind.pullError(modelRef(name, revision), files.map(f => f.path), { cause: new Error(`the manifest ${root} could not be pinned: blocks missing locally`) })
  }
  // trust on first use: the org's first publisher is recorded once its content has landed
  if (firstUse != null) await c.trust.trust(firstUse.org, firstUse.publisher)
  const record: LocalRecord = { name, revision, root: root.toString(), created: Date.now(), origin: localRecord?.origin ?? 'pulled' }
  const previous = localRecord?.revision === revision ? localRecord : undefined
  const kept = shape.record?.(record, previous, files) ?? record
  if (shape.record != null || localRecord?.root !== record.root) await c.index.put(kept)
  await c.announce(record).catch(() => {})
  return { name, revision, root, manifest, files, bytes: bytesTotal, fetchedBytes, providers: [...providersUsed] }
}

/**
 * The manifest of `name`: ours when the index names a root whose block is here, else the newest
 * trusted one its providers name (verified as for a pull; nothing else is fetched).
 */
export async function resolveNamed (c: NamedPullComponents, name: string, options: NamedPullOptions, hold: Hold): Promise<{ root: CID, revision: string, manifest: Manifest, providers: string[] }> {
  assertModelName(name)
  if (options.revision != null) assertRevision(options.revision)
  const local = heldSource(c.local, hold)
  const localRecord = await c.index.get(name, options.revision ?? DEFAULT_REVISION)
  if (localRecord != null && await local.has(CID.parse(localRecord.root), options)) {
    const root = CID.parse(localRecord.root)
    const record = await decodeRecord(await local.getBytes(root, options), c.kind)
    if (record.kind === 'yank') throw new ModelYankedError(modelRef(name, localRecord.revision), record.publisher ?? 'unknown')
    return { root, revision: localRecord.revision, manifest: record.manifest, providers: [] }
  }
  if (c.fetcher == null) throw new OfflineError(`${c.kind.kind} ${name}`)
  const network = c.fetcher({ timeoutMs: options.manifestTimeoutMs ?? MODEL_PULL_BLOCK_TIMEOUT_MS, hold })
  const used = new Set<string>()
  const chosen = await chooseManifest({ kind: c.kind, find: c.find, dial: c.dial, fetch: async (cid, o) => await network.getBytes(cid, o), trust: c.trust, allowUnsigned: c.allowUnsigned },
    name, { ...options, findTimeoutMs: options.findTimeoutMs ?? MODEL_FIND_TIMEOUT_MS }, used)
  return { root: chosen.root, revision: chosen.revision, manifest: chosen.manifest, providers: [...used] }
}
