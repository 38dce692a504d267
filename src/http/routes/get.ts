/**
 * `get`: a file or a directory tree (plain or HAMT-sharded directories) as a tar stream (Kubo's default, without
 * `output`: the CLI extracts it). The root entry is named after the last path
 * segment, or the CID. Files stream block by block with back-pressure from the
 * socket through the tar packer; nothing is held whole in memory. A link name
 * that a tar extractor would follow out of the tree (`..`, `a/../../x`, `\`,
 * NUL) fails the request: headers are out by then, so the response is cut
 * short rather than ended, and the client sees a failure, not a quieter tar.
 */
import tar from 'tar-stream'
import { assertLinkName, directoryEntries, readFile, readNode } from '../../unixfs/index.ts'
import { boolParam, requiredArg, write } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import { resolveArg } from './ipfs-path.ts'
import type { RequestContext } from '../request-context.ts'
import type { BlockSource } from '../../blocks/index.ts'
import type { UnixFSNode } from '../../unixfs/index.ts'
import type { Pack } from 'tar-stream'

export async function get ({ kit, query, signal, res }: RequestContext): Promise<void> {
  if (boolParam(query, 'compress', false)) throw new RpcError(400, 'compress is not supported: get returns a plain tar stream')
  const { root, node, name, source } = await resolveArg(kit, requiredArg(query), signal)
  if (node.kind === 'other') throw new RpcError(500, `${node.cid} is not UnixFS: use dag/export`)
  const pack = tar.pack()
  const producing = packNode(pack, source, node, name, signal).then(() => { pack.finalize() }, (err: unknown) => {
    pack.destroy(err as Error)
    throw err
  })
  producing.catch(() => {}) // reported below, through the pack's iteration and the await
  res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Stream-Output': '1', 'X-Content-Length': String(node.fileSize) })
  for await (const chunk of pack) await write(res, chunk as Uint8Array, signal)
  await producing
  res.end()
  kit.seeding.noteRead(root.toString())
}

/** Add `node` and, for a directory, everything under it, depth first in link order. */
async function packNode (pack: Pack, source: BlockSource, node: UnixFSNode, name: string, signal: AbortSignal): Promise<void> {
  if (node.kind === 'directory') {
    await entry(pack, { name, type: 'directory', mode: 0o755 })
    for await (const link of directoryEntries(source, node, { signal })) {
      assertLinkName(link.name)
      await packNode(pack, source, await readNode(source, link.cid, { signal }), `${name}/${link.name}`, signal)
    }
    return
  }
  if (node.kind !== 'file') return
  let stream: ReturnType<Pack['entry']> | undefined
  // the packer calls back once the entry's bytes are all in the archive (or it failed)
  const done = new Promise<void>((resolve, reject) => {
    stream = pack.entry({ name, type: 'file', size: node.fileSize, mode: 0o644 }, err => { if (err != null) reject(err); else resolve() })
  })
  const sink = stream
  if (sink == null) throw new Error('tar-stream did not open an entry')
  for await (const chunk of readFile(source, node.cid, { signal })) {
    if (!sink.write(chunk)) await new Promise<void>(resolve => sink.once('drain', () => { resolve() }))
  }
  sink.end(undefined)
  await done
}

async function entry (pack: Pack, header: Parameters<Pack['entry']>[0]): Promise<void> {
  await new Promise<void>((resolve, reject) => pack.entry(header, err => { if (err != null) reject(err); else resolve() }))
}
