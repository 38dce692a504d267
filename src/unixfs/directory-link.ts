/** One entry of a UnixFS directory, plain or HAMT-sharded. */
import type { CID } from 'multiformats/cid'

export interface DirectoryLink {
  name: string
  cid: CID
  /** The link's Tsize: the child DAG's cumulative size. */
  tsize: number
}
