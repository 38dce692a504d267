/**
 * `add`: store each file of a multipart upload as it streams in, under the
 * unixfs-v1-2025 profile. Options that would give other CIDs are refused
 * rather than silently ignored, so a client never records a CID we do not produce.
 */
import * as dagPb from '@ipld/dag-pb'
import { parseCid } from '../../storage/index.ts'
import { parseMultipart } from '../multipart.ts'
import { boolParam, sendJsonLines } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'
import type { Kit } from '../../kit.ts'

/** Values our profile produces; anything else for these options is refused. */
const PROFILE: Record<string, string[]> = {
  'cid-version': ['1'],
  'raw-leaves': ['true', ''],
  chunker: ['size-1048576'],
  hash: ['sha2-256'],
  trickle: ['false'],
  'wrap-with-directory': ['false'],
  'only-hash': ['false'],
  inline: ['false']
}

export async function add ({ kit, req, query, signal, res }: RequestContext): Promise<void> {
  for (const [name, allowed] of Object.entries(PROFILE)) {
    const value = query.get(name)
    if (value != null && !allowed.includes(value)) {
      throw new RpcError(400, `${name}=${value} is not supported: this node imports with the unixfs-v1-2025 profile (${name}=${allowed[0]})`)
    }
  }
  const pin = boolParam(query, 'pin', true)
  const results: Array<{ Name: string, Hash: string, Size: string }> = []
  for await (const part of parseMultipart(req, { signal })) {
    if (part.contentType === 'application/x-directory' || part.field.startsWith('dir')) {
      throw new RpcError(400, 'adding directories is not supported yet; add each file on its own')
    }
    if (part.filename.includes('/')) throw new RpcError(400, `adding files inside directories is not supported yet: ${part.filename}`)
    const cid = await kit.storage.store(part.body, { filename: part.filename === '' ? undefined : part.filename, pin, signal })
    results.push({ Name: part.filename === '' ? cid : part.filename, Hash: cid, Size: String(await dagSize(kit, cid, signal)) })
  }
  if (results.length === 0) throw new RpcError(400, 'no file in the request')
  await sendJsonLines(res, results, signal)
}

/** Kubo's `Size`: the root block plus the cumulative sizes its links declare. */
async function dagSize (kit: Kit, cid: string, signal: AbortSignal): Promise<number> {
  const root = parseCid(cid)
  const parts: Uint8Array[] = []
  for await (const part of kit.helia.blockstore.get(root, { signal })) parts.push(part)
  const size = parts.reduce((n, p) => n + p.byteLength, 0)
  if (root.code !== dagPb.code) return size
  const node = dagPb.decode(parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts))
  return node.Links.reduce((n, link) => n + (link.Tsize ?? 0), size)
}
