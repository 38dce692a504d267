/**
 * `GET`/`HEAD /ipfs/{cid}[/{path}]`: resolve the path through UnixFS
 * directories (each block verified), then answer with the raw block, a CAR
 * (the path's blocks, then the `dag-scope` blocks of what it names), or the
 * file itself — with Range, ETag and immutable caching.
 */
import { createHash } from 'node:crypto'
import { blockKey } from '../../blocks/index.ts'
import { GATEWAY_MAX_AGE_SECONDS } from '../../constants.ts'
import { directoryEntries, findEntry, readFile, resolvePath } from '../../unixfs/index.ts'
import { allBlocks, entityBlocks } from '../car/dag-blocks.ts'
import { sendCar } from '../car/car-stream.ts'
import { write } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import { parseRange } from './byte-range.ts'
import { SNIFF_BYTES, contentType } from './content-type.ts'
import { CAR_TYPE, RAW_TYPE, resolveEntityBytes, responseFormat } from './response-format.ts'
import type { BlockSource } from '../../blocks/index.ts'
import type { ReadBlock, UnixFSNode } from '../../unixfs/index.ts'
import type { Block } from '../car/dag-blocks.ts'
import type { GatewayPath } from './request-path.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface ServeContext {
  req: IncomingMessage
  res: ServerResponse
  target: GatewayPath
  source: BlockSource
  signal: AbortSignal
}

const IMMUTABLE = `public, max-age=${GATEWAY_MAX_AGE_SECONDS}, immutable`

export async function serveIpfs ({ req, res, target, source, signal }: ServeContext): Promise<void> {
  const head = req.method === 'HEAD'
  const format = responseFormat(target.query, req.headers.accept)
  const chain: UnixFSNode[] = []
  const pathBlocks: ReadBlock[] = []
  const node = await resolvePath(source, target.root, target.path, { signal, onNode: n => chain.push(n), onBlock: b => pathBlocks.push(b) })
  const ipfsPath = `/ipfs/${target.root}${target.path === '' ? '' : '/' + target.path}`
  const common: Record<string, string> = {
    'Cache-Control': IMMUTABLE,
    'X-Ipfs-Path': ipfsPath,
    'X-Ipfs-Roots': chain.map(n => n.cid.toString()).join(','),
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept'
  }

  if (format.kind === 'raw') {
    const etag = `"${node.cid}.raw"`
    if (notModified(req, res, etag, common)) return
    res.writeHead(200, { ...common, 'Content-Type': RAW_TYPE, 'Content-Length': String(node.bytes.byteLength), ETag: etag, 'Content-Disposition': `attachment; filename="${node.cid}.bin"` })
    res.end(head ? undefined : node.bytes)
    return
  }

  if (format.kind === 'car') {
    const range = format.entityBytes != null && node.kind === 'file' ? resolveEntityBytes(format.entityBytes, node.fileSize) : undefined
    const scope = format.entityBytes != null && node.kind === 'file' && range == null ? 'block' : format.scope
    const variant = createHash('sha256').update(JSON.stringify([target.path, scope, range ?? null])).digest('hex').slice(0, 16)
    const etag = `W/"${target.root}.car.${variant}"`
    if (notModified(req, res, etag, common)) return
    const headers = { ...common, 'Content-Type': `${CAR_TYPE}; version=1; order=dfs; dups=n`, ETag: etag, 'Content-Disposition': `attachment; filename="${target.root}.car"`, 'X-Stream-Output': '1' }
    await sendCar(res, [target.root], carBlocks(source, pathBlocks, node, scope, range, signal), headers, signal, head)
    return
  }

  if (node.kind === 'directory') {
    await serveDirectory(req, res, target, node, common, source, signal, head)
    return
  }
  if (node.kind !== 'file') throw new RpcError(501, `${node.cid} is not a UnixFS file or directory: ask for ?format=car or ?format=raw`)
  await serveFile(req, res, node, target.segments.at(-1), common, source, signal, head)
}

/** The path's blocks (root first, HAMT shard nodes crossed included), then the scope's blocks from the node it names, each once. */
async function * carBlocks (source: BlockSource, chain: ReadBlock[], node: UnixFSNode, scope: 'all' | 'entity' | 'block', range: { from: number, to: number } | undefined, signal: AbortSignal): AsyncGenerator<Block> {
  const seen = new Set<string>()
  for (const step of chain.slice(0, -1)) {
    const key = blockKey(step.cid)
    if (seen.has(key)) continue
    seen.add(key)
    yield { cid: step.cid, bytes: step.bytes }
  }
  if (scope === 'block') {
    if (!seen.has(blockKey(node.cid))) yield { cid: node.cid, bytes: node.bytes }
    return
  }
  if (scope === 'entity') {
    yield * entityBlocks(source, node.cid, node.bytes, range, { signal })
    return
  }
  seen.delete(blockKey(node.cid))
  yield * allBlocks(source, node.cid, { signal }, seen)
}

async function serveFile (req: IncomingMessage, res: ServerResponse, node: UnixFSNode, name: string | undefined, common: Record<string, string>, source: BlockSource, signal: AbortSignal, head: boolean): Promise<void> {
  const etag = `"${node.cid}"`
  if (notModified(req, res, etag, common)) return
  const size = node.fileSize
  const sniffed = size === 0 ? new Uint8Array() : await first(readFile(source, node.cid, { offset: 0, length: Math.min(SNIFF_BYTES, size), signal }))
  const headers: Record<string, string> = { ...common, ETag: etag, 'Accept-Ranges': 'bytes', 'Content-Type': contentType(name, sniffed) }
  const range = parseRange(req.headers.range, size)
  let offset = 0
  let length = size
  if (range != null) {
    offset = range.start
    length = range.end - range.start + 1
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(length) })
  } else {
    res.writeHead(200, { ...headers, 'Content-Length': String(size) })
  }
  if (head || length === 0) {
    res.end()
    return
  }
  for await (const chunk of readFile(source, node.cid, { offset, length, signal })) await write(res, chunk, signal)
  res.end()
}

/** A directory: its index.html when it has one, else a listing; a path without its final '/' is redirected to it first, so relative links work. */
async function serveDirectory (req: IncomingMessage, res: ServerResponse, target: GatewayPath, node: UnixFSNode, common: Record<string, string>, source: BlockSource, signal: AbortSignal, head: boolean): Promise<void> {
  const base = `/ipfs/${target.root}${target.path === '' ? '' : '/' + target.segments.map(encodeURIComponent).join('/')}`
  if (!target.trailingSlash) {
    const q = (req.url ?? '').indexOf('?')
    res.writeHead(301, { ...common, Location: `${base}/${q === -1 ? '' : (req.url ?? '').slice(q)}` })
    res.end()
    return
  }
  const index = await findEntry(source, node, 'index.html', { signal })
  if (index != null) {
    const indexNode = await resolvePath(source, index.cid, '', { signal })
    if (indexNode.kind === 'file') {
      await serveFile(req, res, indexNode, 'index.html', common, source, signal, head)
      return
    }
  }
  const etag = `"DirIndex-${node.cid}"`
  if (notModified(req, res, etag, common)) return
  const rows: string[] = []
  for await (const l of directoryEntries(source, node, { signal })) rows.push(`<li><a href="${escapeHtml(base + '/' + encodeURIComponent(l.name))}">${escapeHtml(l.name)}</a> <small>${l.cid} (${l.tsize} B)</small></li>`)
  const html = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(base)}</title><h1>${escapeHtml(base)}</h1><ul>${rows.join('')}</ul>\n`
  res.writeHead(200, { ...common, ETag: etag, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(html)) })
  res.end(head ? undefined : html)
}

/** Answer 304 when the client already holds this exact response. */
function notModified (req: IncomingMessage, res: ServerResponse, etag: string, headers: Record<string, string>): boolean {
  const inm = req.headers['if-none-match']
  if (inm == null || !inm.split(',').map(s => s.trim()).some(t => t === etag || t === '*')) return false
  res.writeHead(304, { ...headers, ETag: etag })
  res.end()
  return true
}

async function first (source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts)
}

function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}
