/**
 * The manifest of named content (a model, a dataset): one dag-json block
 * naming every file of a revision with its size, sha256 and CID (as an IPLD link). Because the links
 * are real, pinning the manifest's CID pins the whole model, and fetching it
 * by CID verifies it. The publisher's signature (over name, revision,
 * created and files) and publisher id travel inside the block, so any holder
 * can serve it and any puller verifies it with the publisher offline. A yank
 * is a signed tombstone of the same shape without files.
 */
import * as dagJson from '@ipld/dag-json'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { assertAllowedCid } from '../blocks/index.ts'
import { InvalidInputError } from '../errors.ts'
import { sign, verifySigned } from '../trust/index.ts'
import type { PublisherKey, Signed } from '../trust/index.ts'
import { MODEL_KIND } from './kinds.ts'
import { assertModelName, assertRelativePath, assertRevision } from './names.ts'
import type { NamedKind } from './kinds.ts'

/** The model manifest's type; a dataset's is DATASET_KIND.manifestType. */
export const MANIFEST_TYPE = MODEL_KIND.manifestType
export const MANIFEST_VERSION = 1
/** A signed tombstone: the publisher withdrew `name@revision`. */
export const YANK_TYPE = MODEL_KIND.yankType

export interface ManifestFile {
  /** Relative path with forward slashes. */
  path: string
  size: number
  /** Hex sha256 of the file's bytes (the Hugging Face cache names blobs by it). */
  sha256: string
  cid: CID
  /** Datasets: the records (lines) of a line-based shard. */
  records?: number
}

export interface Manifest {
  /** The kind's manifest type (`ipfs-kit/model-manifest`, `ipfs-kit/dataset-manifest`). */
  type: string
  version: typeof MANIFEST_VERSION
  name: string
  revision: string
  /** ISO 8601 time of publishing. */
  created: string
  files: ManifestFile[]
  /** The publisher id (did:key) whose signature follows; absent in manifests made before signatures. */
  publisher?: string
  /** Base64 Ed25519 signature over the other fields. */
  signature?: string
}

export interface Yank extends Signed {
  type: string
  version: typeof MANIFEST_VERSION
  name: string
  revision: string
  /** ISO 8601 time of the yank. */
  created: string
}

/** What a root named for a model can be. */
export type ModelRecordBlock = { kind: 'manifest', manifest: Manifest } | { kind: 'yank', yank: Yank }

/** Encode a manifest as a dag-json block; files sorted by path so the same model gives the same CID. */
export async function encodeManifest (manifest: Manifest): Promise<{ cid: CID, bytes: Uint8Array }> {
  return await encodeBlock(sortFiles(manifest))
}

/** Sign a manifest (files sorted first: the signature covers the block's own order) and encode it. */
export async function encodeSignedManifest (key: PublisherKey, manifest: Manifest): Promise<{ cid: CID, bytes: Uint8Array, manifest: Manifest }> {
  const { publisher: _p, signature: _s, ...fields } = sortFiles(manifest)
  const signed = await sign(key, fields)
  return { ...await encodeBlock(signed), manifest: signed }
}

/** A signed yank of `name@revision`, encoded. */
export async function encodeYank (key: PublisherKey, name: string, revision: string, created = new Date(), kind: NamedKind = MODEL_KIND): Promise<{ cid: CID, bytes: Uint8Array, yank: Yank }> {
  assertModelName(name)
  assertRevision(revision)
  const yank = await sign(key, { type: kind.yankType, version: MANIFEST_VERSION, name, revision, created: created.toISOString() } as const)
  return { ...await encodeBlock(yank), yank }
}

/**
 * Decode what a root names (a manifest or a yank), check its shape, and verify its signature.
 * `publisher` is the verified publisher id, undefined for an unsigned (older) manifest.
 *
 * @throws InvalidInputError for anything malformed or a signature that does not verify
 */
export async function decodeModelRecord (bytes: Uint8Array): Promise<ModelRecordBlock & { publisher?: string, name: string, revision: string, created: number }> {
  return await decodeRecord(bytes, MODEL_KIND)
}

/** decodeModelRecord for any kind: a manifest or yank of another kind is refused as malformed. */
export async function decodeRecord (bytes: Uint8Array, kind: NamedKind): Promise<ModelRecordBlock & { publisher?: string, name: string, revision: string, created: number }> {
  let value: any
  try {
    value = dagJson.decode(bytes)
  } catch (err) {
    throw new InvalidInputError(`not a dag-json manifest: ${(err as Error).message}`)
  }
  if (value?.type === kind.yankType) {
    if (value.version !== MANIFEST_VERSION) throw new InvalidInputError('not an ipfs-kit yank (version)')
    assertModelName(value.name)
    assertRevision(value.revision)
    const publisher = await verifySigned(value)
    return { kind: 'yank', yank: value as Yank, publisher, name: value.name, revision: value.revision, created: createdMs(value.created) }
  }
  const manifest = decodeManifest(bytes, value, kind)
  const publisher = manifest.signature == null && manifest.publisher == null ? undefined : await verifySigned(manifest as unknown as Record<string, unknown>)
  return { kind: 'manifest', manifest, publisher, name: manifest.name, revision: manifest.revision, created: createdMs(manifest.created) }
}

function createdMs (created: unknown): number {
  const ms = typeof created === 'string' ? Date.parse(created) : NaN
  if (!Number.isFinite(ms)) throw new InvalidInputError(`the record's created time is not an ISO date: ${JSON.stringify(created)?.slice(0, 40)}`)
  return ms
}

function sortFiles (manifest: Manifest): Manifest {
  return { ...manifest, files: [...manifest.files].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0) }
}

async function encodeBlock (value: unknown): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes = dagJson.encode(value)
  return { cid: CID.createV1(dagJson.code, await sha256.digest(bytes)), bytes }
}

/** Decode and check a manifest fetched from a peer: shape, name, paths, CIDs. Never trust it further than this. */
export function decodeManifest (bytes: Uint8Array, decoded?: unknown, kind: NamedKind = MODEL_KIND): Manifest {
  let value: any = decoded
  try {
    value ??= dagJson.decode(bytes)
  } catch (err) {
    throw new InvalidInputError(`not a dag-json manifest: ${(err as Error).message}`)
  }
  if (value?.type !== kind.manifestType || value?.version !== MANIFEST_VERSION || !Array.isArray(value.files)) {
    throw new InvalidInputError(`not an ipfs-kit ${kind.kind} manifest (type/version)`)
  }
  assertModelName(value.name)
  assertRevision(value.revision)
  const seen = new Set<string>()
  for (const file of value.files) {
    assertRelativePath(file?.path)
    if (seen.has(file.path)) throw new InvalidInputError(`manifest lists ${file.path} twice`)
    seen.add(file.path)
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new InvalidInputError(`manifest size of ${file.path} is not a byte count`)
    if (file.records !== undefined && (!Number.isSafeInteger(file.records) || file.records < 0)) throw new InvalidInputError(`manifest record count of ${file.path} is not a count`)
    if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256)) throw new InvalidInputError(`manifest sha256 of ${file.path} is not hex`)
    const cid = CID.asCID(file.cid)
    if (cid == null) throw new InvalidInputError(`manifest CID of ${file.path} is not a link`)
    assertAllowedCid(cid)
  }
  // a path that is both a file and a directory of another (a, a/b) cannot be written out
  for (const file of value.files) {
    const parts = String(file.path).split('/')
    for (let i = 1; i < parts.length; i++) {
      if (seen.has(parts.slice(0, i).join('/'))) throw new InvalidInputError(`manifest has ${parts.slice(0, i).join('/')} as a file and as a directory`)
    }
  }
  return value as Manifest
}
