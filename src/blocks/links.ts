/** The child links of a block, for the codecs a UnixFS DAG uses. */
import * as dagPb from '@ipld/dag-pb'
import type { CID } from 'multiformats/cid'

const RAW_CODE = 0x55

/** Children of a block in link order; raw and identity blocks have none. Other codecs are not walked. */
export function linksOf (cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code === dagPb.code) {
    return dagPb.decode(bytes).Links.map(link => link.Hash)
  }
  if (cid.code === RAW_CODE) return []
  return []
}
