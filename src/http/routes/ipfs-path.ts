/**
 * RPC arguments that name content by CID or by `/ipfs/<cid>/<path>`, as Kubo
 * accepts them: the path is resolved through UnixFS directories, each block
 * verified as it is read.
 */
import { DEFAULT_FETCH_TIMEOUT_MS } from '../../constants.ts'
import { UnsafePathError } from '../../errors.ts'
import { parseCid } from '../../blocks/index.ts'
import { resolvePath } from '../../unixfs/index.ts'
import { kitBlockSource } from '../kit-blocks.ts'
import type { Kit } from '../../kit.ts'
import type { BlockSource } from '../../blocks/index.ts'
import type { UnixFSNode } from '../../unixfs/index.ts'
import type { CID } from 'multiformats/cid'

export interface ResolvedArg {
  root: CID
  /** The path under the root ('' for the root itself). */
  path: string
  node: UnixFSNode
  /** The last path segment, or the root CID: what Kubo names the entry. */
  name: string
  source: BlockSource
}

/** Split `cid`, `/ipfs/cid` or `/ipfs/cid/a/b` into the root CID and the path under it. */
export function splitIpfsPath (value: string): { root: CID, path: string } {
  const trimmed = value.startsWith('/ipfs/') ? value.slice('/ipfs/'.length) : value
  const slash = trimmed.indexOf('/')
  const root = parseCid(slash === -1 ? trimmed : trimmed.slice(0, slash))
  const path = slash === -1 ? '' : trimmed.slice(slash + 1).replace(/\/$/, '')
  if (path.startsWith('/')) throw new UnsafePathError(value, 'empty, . and .. segments are not allowed')
  return { root, path }
}

export async function resolveArg (kit: Kit, value: string, signal: AbortSignal): Promise<ResolvedArg> {
  const { root, path } = splitIpfsPath(value)
  const source = kitBlockSource(kit, { timeoutMs: DEFAULT_FETCH_TIMEOUT_MS })
  const node = await resolvePath(source, root, path, { signal })
  const name = path === '' ? root.toString() : path.slice(path.lastIndexOf('/') + 1)
  return { root, path, node, name, source }
}
