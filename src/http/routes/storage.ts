/**
 * `ipfs-kit/storage/{store,ls,exists,rm}`: the seed's storage calls that
 * Kubo's RPC has no counterpart for, for the Python package (clients/python).
 * `store` takes the file as the first multipart part, `backends` (local, ipfs,
 * s3: repeated or comma-separated; the answer's `Failed` lists each backend
 * that failed with its error, as the `storage:backend-failed` event, and the
 * store still succeeds) and `filename` as a label in the query (a name, not a path: no directories are built, so a
 * `bert/config.json` label is pinned itself when `pin=true`, in the same call);
 * `ls` is the file index (`listFiles`), `exists` answers by CID or by a stored
 * filename (with the CID it stands for), `rm` is `storage.delete`.
 */
import { parseCid } from '../../blocks/index.ts'
import { parseMultipart } from '../multipart.ts'
import { boolParam, requiredArg, sendJson, sendJsonLines } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { BackendName } from '../../index.ts'
import type { RequestContext } from '../request-context.ts'

export async function storageStore ({ kit, req, query, signal, res }: RequestContext): Promise<void> {
  const filename = query.get('filename') ?? ''
  // absent: the node's storage_policy.pin_by_default decides, as for kit.storage.store
  const pin = query.has('pin') ? boolParam(query, 'pin', false) : undefined
  const backends = backendsParam(query)
  const failed: Array<{ Backend: string, Error: string }> = []
  const onProgress = (event: { type: string, detail: unknown }): void => {
    if (event.type !== 'storage:backend-failed') return
    const { backend, error } = event.detail as { backend: string, error: Error }
    failed.push({ Backend: backend, Error: `${error.name}: ${error.message}` })
  }
  let cid: string | undefined
  for await (const part of parseMultipart(req, { signal })) {
    // a bad backends list is refused once the body is read: a client still sending it would see the connection cut instead of the 400
    if (cid == null && !(backends instanceof RpcError)) cid = await kit.storage.store(part.body, { filename: filename === '' ? undefined : filename, pin, backends, signal, onProgress })
    else for await (const _ of part.body) { /* only the first part is the file */ }
  }
  if (backends instanceof RpcError) throw backends
  if (cid == null) throw new RpcError(400, 'a multipart body with the file is required')
  sendJson(res, { Cid: cid, Size: await kit.storage.size(cid, { signal }), ...(backends == null ? {} : { Backends: backends }), Failed: failed })
}

/** Where `store` puts the file: `backends` given as repeated parameters or one comma-separated list; undefined: the node's storage_policy.default_backends. */
function backendsParam (query: URLSearchParams): BackendName[] | undefined | RpcError {
  if (!query.has('backends')) return undefined
  const names = query.getAll('backends').flatMap(value => value.split(',')).map(name => name.trim()).filter(name => name !== '')
  const unknown = names.filter(name => !RPC_BACKENDS.includes(name as BackendName))
  if (names.length === 0 || unknown.length > 0) return new RpcError(400, `backends must be a list of ${RPC_BACKENDS.join(', ')}, got ${JSON.stringify(query.getAll('backends').join(','))}`)
  return [...new Set(names)] as BackendName[]
}

/** The backends a store can name over the API (the library's, but filecoin, which has no adapter to call yet). */
const RPC_BACKENDS: readonly BackendName[] = ['local', 'ipfs', 's3']

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
