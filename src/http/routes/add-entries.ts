/**
 * The files and directories of one `add`: each file is stored as it arrives
 * (the kit's streaming importer), directories are built from the paths once
 * every file is in. Until the roots are pinned, everything written is under a
 * temporary hold, so a concurrent gc cannot take a file of a directory that
 * is not pinned yet.
 */
import * as dagPb from '@ipld/dag-pb'
import { blockKey } from '../../blocks/index.ts'
import { DirectoryTree, pathSegments } from '../../unixfs/index.ts'
import { parseCid } from '../../blocks/index.ts'
import { RpcError } from '../rpc-error.ts'
import type { Kit } from '../../kit.ts'
import type { MultipartPart } from '../multipart.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface AddEntriesOptions {
  /** Pin each top-level entry (the wrapping directory with `wrap`). */
  pin: boolean
  /** Put everything in one directory (Kubo's `wrap-with-directory`), reported with the name ''. */
  wrap: boolean
  signal: AbortSignal
}

/** Kubo's add output line. */
export interface AddedLine {
  Name: string
  Hash: string
  Size: string
}

export async function * addEntries (kit: Kit, parts: AsyncIterable<MultipartPart>, options: AddEntriesOptions): AsyncGenerator<AddedLine> {
  const { pin, wrap, signal } = options
  const tree = new DirectoryTree()
  const hold = kit.storage.hold()
  let entries = 0
  try {
    for await (const part of parts) {
      // kubo-rpc-client puts a file's mode and mtime in the field name (`file?mode=0644`); they would change the CID
      if (part.field.includes('?')) throw new RpcError(400, `mode and mtime are not supported: they would give other CIDs than the unixfs-v1-2025 profile (${part.field})`)
      const path = part.filename
      const segments = path === '' ? [] : pathSegments(path)
      entries++
      if (part.contentType === 'application/x-directory' || part.field.startsWith('dir')) {
        if (segments.length === 0) throw new RpcError(400, 'a directory needs a name')
        tree.addDirectory(path)
        continue
      }
      // a top-level file of a plain add is a root of its own, pinned as it is stored
      const root = !wrap && segments.length <= 1
      if (!root && segments.length === 0) throw new RpcError(400, 'a file inside a directory needs a name')
      const cid = await kit.storage.store(part.body, { filename: path === '' ? undefined : path, pin: root && pin, hold, signal })
      const size = await dagSize(kit, cid, signal)
      if (!root) tree.addFile(path, parseCid(cid), size)
      yield { Name: path === '' ? cid : segments.join('/'), Hash: cid, Size: String(size) }
    }
    if (entries === 0) throw new RpcError(400, 'no file in the request')
    const blockstore = { put: async (cid: CID, bytes: Uint8Array, o?: AbortOptions) => await kit.storage.putBlock(cid, bytes, { ...o, hold }) }
    for await (const dir of tree.build(blockstore, { includeRoot: wrap, signal, onBlock: cid => { hold.add([blockKey(cid)]) } })) {
      const topLevel = wrap ? dir.path === '' : !dir.path.includes('/')
      if (topLevel && pin && !await kit.storage.pin(dir.cid.toString(), { signal })) throw new RpcError(500, `could not pin ${dir.cid}`)
      yield { Name: dir.path, Hash: dir.cid.toString(), Size: String(dir.dagSize) }
    }
  } finally {
    hold.release()
  }
}

/** Kubo's `Size`: the root block plus the cumulative sizes its links declare. */
async function dagSize (kit: Kit, cid: string, signal: AbortSignal): Promise<number> {
  const root = parseCid(cid)
  const bytes = await kit.storage.blocks().getBytes(root, { signal })
  const size = bytes.byteLength
  if (root.code !== dagPb.code) return size
  const node = dagPb.decode(bytes)
  return node.Links.reduce((n, link) => n + (link.Tsize ?? 0), size)
}
