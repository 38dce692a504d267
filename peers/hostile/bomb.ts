/**
 * A manifest bomb: a model whose one file is a dag-pb tree linking one small
 * leaf `width × fanout` times (the middle node repeated `fanout` times under
 * the root), so that a few kilobytes of blocks describe `width × fanout ×
 * leafBytes` bytes, while the manifest declares `declaredSize`.
 */
import { createHash, randomBytes } from 'node:crypto'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { encodeSignedManifest, MANIFEST_TYPE, MANIFEST_VERSION } from '../../src/models/index.ts'
import { loadOrCreatePublisherKey } from '../../src/trust/index.ts'
import type { Manifest } from '../../src/models/index.ts'
import type { Kit } from '../../src/index.ts'

export interface BombInit {
  name: string
  /** Bytes of the one leaf. */
  leafBytes: number
  /** Links from the middle node to the leaf. */
  width: number
  /** Links from the root to the middle node. */
  fanout: number
  /** The size the manifest states. @default what the DAG describes */
  declaredSize?: number
}

/**
 * The one place a hostile manifest is made: encode it and store it as a block of `kit`.
 * (When manifests carry a publisher's signature, this is where the hostile peer signs it.)
 */
export async function craftManifest (kit: Kit, manifest: Manifest): Promise<CID> {
  // signed with this peer's own publisher key: the puller trusts it (first use, or trusted_publishers),
  // so what stops the bomb is the size check, not the signature
  const { cid, bytes } = await encodeSignedManifest(await loadOrCreatePublisherKey(kit.dataDir), manifest)
  await kit.storage.putBlock(cid, bytes)
  return cid
}

async function put (kit: Kit, code: number, bytes: Uint8Array): Promise<CID> {
  const cid = CID.createV1(code, await sha256.digest(bytes))
  await kit.storage.putBlock(cid, bytes)
  return cid
}

function fileNode (child: CID, childSize: number, times: number): Uint8Array {
  const unixfs = new UnixFS({ type: 'file', blockSizes: Array.from({ length: times }, () => BigInt(childSize)) })
  return dagPb.encode({ Data: unixfs.marshal(), Links: Array.from({ length: times }, () => ({ Hash: child, Tsize: childSize })) })
}

/** Build the bomb's blocks and its manifest in `kit`; the manifest's CID, and what the DAG describes and weighs. */
export async function buildBomb (kit: Kit, init: BombInit): Promise<{ root: CID, describedBytes: number, blockBytes: number }> {
  const leaf = randomBytes(init.leafBytes)
  const leafCid = await put(kit, raw.code, leaf)
  const middle = fileNode(leafCid, init.leafBytes, init.width)
  const middleCid = await put(kit, dagPb.code, middle)
  const middleSize = init.leafBytes * init.width
  const top = fileNode(middleCid, middleSize, init.fanout)
  const fileCid = await put(kit, dagPb.code, top)
  const describedBytes = middleSize * init.fanout
  const manifest: Manifest = {
    type: MANIFEST_TYPE,
    version: MANIFEST_VERSION,
    name: init.name,
    revision: 'main',
    created: new Date().toISOString(),
    files: [{ path: 'model.safetensors', size: init.declaredSize ?? describedBytes, sha256: createHash('sha256').update('bomb').digest('hex'), cid: fileCid }]
  }
  const root = await craftManifest(kit, manifest)
  return { root, describedBytes, blockBytes: leaf.byteLength + middle.byteLength + top.byteLength }
}
