/**
 * `ipfs-kit/storage/{store,ls,exists,rm}`: the seed's storage calls that
 * Kubo's RPC has no counterpart for, for the Python package (clients/python).
 * `store` takes the file as the first multipart part and `filename` as a
 * label in the query (a name, not a path: no directories are built, so a
 * `bert/config.json` label is pinned itself when `pin=true`, in the same call);
 * `ls` is the file index (`listFiles`), `exists` answers by CID or by a stored
 * filename (with the CID it stands for), `rm` is `storage.delete`.
 */
import { parseCid } from '../../blocks/index.ts'
import { parseMultipart } from '../multipart.ts'
import { boolParam, requiredArg, sendJson, sendJsonLines } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'

export async function storageStore ({ kit, req, query, signal, res }: RequestContext): Promise<void> {
  const filename = query.get('filename') ?? ''
  // absent: the node's storage_policy.pin_by_default decides, as for kit.storage.store
  const pin = query.has('pin') ? boolParam(query, 'pin', false) : undefined
  let cid: string | undefined
  for await (const part of parseMultipart(req, { signal })) {
    if (cid == null) cid = await kit.storage.store(part.body, { filename: filename === '' ? undefined : filename, pin, signal })
    else for await (const _ of part.body) { /* only the first part is the file */ }
  }
  if (cid == null) throw new RpcError(400, 'a multipart body with the file is required')
  sendJson(res, { Cid: cid, Size: await kit.storage.size(cid, { signal }) })
}

export async function storageLs ({ kit, signal, res }: RequestContext): Promise<void> {
  const files = await kit.storage.listFiles()
  await sendJsonLines(res, files.map(f => ({ Cid: f.cid, Filename: f.filename, Size: f.size, Modified: f.modified, Pinned: f.pinned })), signal)
}

export async function storageExists ({ kit, query, res }: RequestContext): Promise<void> {
  const arg = requiredArg(query)
  const exists = await kit.storage.exists(arg)
  let cid: string | null = null
  if (exists) cid = isCid(arg) ? parseCid(arg).toString() : (await kit.storage.resolve(arg) ?? null)
  sendJson(res, { Exists: exists, Cid: cid })
}

export async function storageRm ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const cid = parseCid(requiredArg(query)).toString()
  sendJson(res, { Cid: cid, Removed: await kit.storage.delete(cid, { signal }) })
}

function isCid (value: string): boolean {
  try {
    parseCid(value)
    return true
  } catch {
    return false
  }
}
