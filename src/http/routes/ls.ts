/**
 * `ls`: the entries of a directory, plain or HAMT-sharded, with the type and
 * file size of each (Kubo's `resolve-type` and `size`, on by default), as
 * `{ Objects: [{ Hash, Links: [{ Name, Hash, Size, Type, Target }] }] }`.
 * A file lists with no links.
 */
import { WALK_HAS_CONCURRENCY } from '../../constants.ts'
import { directoryEntries, readNode } from '../../unixfs/index.ts'
import { requiredArg, sendJson } from '../request-context.ts'
import { resolveArg } from './ipfs-path.ts'
import type { RequestContext } from '../request-context.ts'
import type { BlockSource } from '../../blocks/index.ts'
import type { DirectoryLink } from '../../unixfs/index.ts'

/** UnixFS types as Kubo reports them in `Type`. */
const TYPE_DIRECTORY = 1
const TYPE_FILE = 2

interface LsLink { Name: string, Hash: string, Size: number, Type: number, Target: string }

export async function ls ({ kit, query, signal, res }: RequestContext): Promise<void> {
  requiredArg(query)
  const objects: Array<{ Hash: string, Links: LsLink[] }> = []
  for (const arg of query.getAll('arg')) {
    const { node, source } = await resolveArg(kit, arg, signal)
    const links: LsLink[] = []
    if (node.kind === 'directory') {
      // each child's root block says what it is; read a batch at a time
      const batch: DirectoryLink[] = []
      for await (const link of directoryEntries(source, node, { signal })) {
        batch.push(link)
        if (batch.length === WALK_HAS_CONCURRENCY) links.push(...await describe(source, batch.splice(0), signal))
      }
      links.push(...await describe(source, batch, signal))
    }
    objects.push({ Hash: node.cid.toString(), Links: links })
  }
  sendJson(res, { Objects: objects })
}

async function describe (source: BlockSource, batch: DirectoryLink[], signal: AbortSignal): Promise<LsLink[]> {
  const children = await Promise.all(batch.map(async link => await readNode(source, link.cid, { signal })))
  return batch.map((link, j) => {
    const child = children[j]
    return { Name: link.name, Hash: link.cid.toString(), Size: child?.fileSize ?? 0, Type: child?.kind === 'directory' ? TYPE_DIRECTORY : TYPE_FILE, Target: '' }
  })
}
