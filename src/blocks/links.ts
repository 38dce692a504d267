/** The child links of a block, for the codecs ipfs-kit stores: dag-pb (UnixFS), raw, dag-json (model manifests). */
import * as dagJson from '@ipld/dag-json'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'

const RAW_CODE = 0x55

/** Children of a block in link order; raw and identity blocks have none. Blocks of other codecs are not walked. */
export function linksOf (cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code === dagPb.code) return dagPb.decode(bytes).Links.map(link => link.Hash)
  if (cid.code === dagJson.code) return linksIn(dagJson.decode(bytes))
  if (cid.code === RAW_CODE) return []
  return []
}

/** Every CID inside a decoded IPLD value, depth first. */
function linksIn (value: unknown, out: CID[] = []): CID[] {
  const cid = CID.asCID(value)
  if (cid != null) {
    out.push(cid)
  } else if (Array.isArray(value)) {
    for (const item of value) linksIn(item, out)
  } else if (value != null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const item of Object.values(value)) linksIn(item, out)
  }
  return out
}
