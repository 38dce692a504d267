/**
 * The model manifest: one dag-json block naming every file of a model
 * revision with its size, sha256 and CID (as an IPLD link). Because the links
 * are real, pinning the manifest's CID pins the whole model, and fetching it
 * by CID verifies it.
 */
import * as dagJson from '@ipld/dag-json'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { assertAllowedCid } from '../blocks/index.ts'
import { InvalidInputError } from '../errors.ts'
import { assertModelName, assertRelativePath, assertRevision } from './names.ts'

export const MANIFEST_TYPE = 'ipfs-kit/model-manifest'
export const MANIFEST_VERSION = 1

export interface ManifestFile {
  /** Relative path with forward slashes. */
  path: string
  size: number
  /** Hex sha256 of the file's bytes (the Hugging Face cache names blobs by it). */
  sha256: string
  cid: CID
}

export interface Manifest {
  type: typeof MANIFEST_TYPE
  version: typeof MANIFEST_VERSION
  name: string
  revision: string
  /** ISO 8601 time of publishing. */
  created: string
  files: ManifestFile[]
}

/** Encode a manifest as a dag-json block; files sorted by path so the same model gives the same CID. */
export async function encodeManifest (manifest: Manifest): Promise<{ cid: CID, bytes: Uint8Array }> {
  const sorted = { ...manifest, files: [...manifest.files].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0) }
  const bytes = dagJson.encode(sorted)
  return { cid: CID.createV1(dagJson.code, await sha256.digest(bytes)), bytes }
}

/** Decode and check a manifest fetched from a peer: shape, name, paths, CIDs. Never trust it further than this. */
export function decodeManifest (bytes: Uint8Array): Manifest {
  let value: any
  try {
    value = dagJson.decode(bytes)
  } catch (err) {
    throw new InvalidInputError(`not a dag-json manifest: ${(err as Error).message}`)
  }
  if (value?.type !== MANIFEST_TYPE || value?.version !== MANIFEST_VERSION || !Array.isArray(value.files)) {
    throw new InvalidInputError('not an ipfs-kit model manifest (type/version)')
  }
  assertModelName(value.name)
  assertRevision(value.revision)
  const seen = new Set<string>()
  for (const file of value.files) {
    assertRelativePath(file?.path)
    if (seen.has(file.path)) throw new InvalidInputError(`manifest lists ${file.path} twice`)
    seen.add(file.path)
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new InvalidInputError(`manifest size of ${file.path} is not a byte count`)
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
