/**
 * `block/get|put|stat`. `block/put` hashes the bytes itself and, given
 * `cid=<expected>` (our extension; pass it with kubo-rpc-client's
 * `searchParams`), refuses bytes that do not hash to it. Nothing is stored then.
 */
import * as dagJson from '@ipld/dag-json'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { DEFAULT_FETCH_TIMEOUT_MS, RPC_MAX_BLOCK_BYTES } from '../../constants.ts'
import { kitBlockSource } from '../kit-blocks.ts'
import { parseCid } from '../../blocks/index.ts'
import { parseMultipart, readPart } from '../multipart.ts'
import { boolParam, cidArg, requiredArg, sendJson, write } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'
import type { Kit } from '../../kit.ts'

/** Codecs `block/put` accepts, with a check that the bytes decode. */
const CODECS: Record<string, { code: number, check: (bytes: Uint8Array) => unknown }> = {
  raw: { code: raw.code, check: () => undefined },
  'dag-pb': { code: dagPb.code, check: bytes => dagPb.decode(bytes) },
  protobuf: { code: dagPb.code, check: bytes => dagPb.decode(bytes) },
  'dag-json': { code: dagJson.code, check: bytes => dagJson.decode(bytes) }
}

async function readBlock (kit: Kit, cid: CID, signal: AbortSignal): Promise<Uint8Array> {
  return await kitBlockSource(kit, { timeoutMs: DEFAULT_FETCH_TIMEOUT_MS }).getBytes(cid, { signal })
}

export async function blockGet ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const cid = parseCid(cidArg(requiredArg(query)))
  const bytes = await readBlock(kit, cid, signal)
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength })
  await write(res, bytes, signal)
  res.end()
}

export async function blockStat ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const cid = parseCid(cidArg(requiredArg(query)))
  const bytes = await readBlock(kit, cid, signal)
  sendJson(res, { Key: cid.toString(), Size: bytes.byteLength })
}

export async function blockPut ({ kit, req, query, signal, res }: RequestContext): Promise<void> {
  const format = query.get('format')
  const codecName = query.get('cid-codec') ?? (format === 'v0' ? 'dag-pb' : format) ?? 'raw'
  const codec = CODECS[codecName]
  if (codec == null) throw new RpcError(400, `cid-codec ${codecName} is not supported (use ${Object.keys(CODECS).join(', ')})`)
  const mhtype = query.get('mhtype') ?? 'sha2-256'
  if (mhtype !== 'sha2-256') throw new RpcError(400, `mhtype ${mhtype} is not supported (use sha2-256)`)
  const mhlen = query.get('mhlen')
  if (mhlen != null && mhlen !== '-1' && mhlen !== '32') throw new RpcError(400, `mhlen ${mhlen} is not supported for sha2-256`)
  const version = format === 'v0' || query.get('version') === '0' ? 0 : 1
  if (version === 0 && codec.code !== dagPb.code) throw new RpcError(400, 'CIDv0 is only for dag-pb blocks')
  const expected = query.get('cid') != null ? parseCid(query.get('cid') as string) : undefined
  const pin = boolParam(query, 'pin', false)

  const results: Array<{ Key: string, Size: number }> = []
  for await (const part of parseMultipart(req, { maxPartBytes: RPC_MAX_BLOCK_BYTES, signal })) {
    const bytes = await readPart(part.body)
    try {
      codec.check(bytes)
    } catch (err: any) {
      throw new RpcError(400, `the block does not decode as ${codecName}: ${err.message}`, { cause: err })
    }
    const digest = await sha256.digest(bytes)
    const cid = version === 0 ? CID.createV0(digest as any) : CID.createV1(codec.code, digest)
    if (expected != null && !expected.equals(cid)) {
      throw new RpcError(400, `block does not match its CID: expected ${expected}, the bytes hash to ${cid}`)
    }
    // written and pinned under one hold of the gc lock: no gc between the two
    try {
      await kit.storage.putBlock(cid, bytes, { pin, signal })
    } catch (err: any) {
      if (err.name === 'NotFoundError') throw new RpcError(500, `could not pin ${cid}: blocks it links to are missing`, { cause: err })
      throw err
    }
    results.push({ Key: cid.toString(), Size: bytes.byteLength })
  }
  const last = results.at(-1)
  if (last == null) throw new RpcError(400, 'no block in the request')
  sendJson(res, last)
}
