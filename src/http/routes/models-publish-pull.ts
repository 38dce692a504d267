/**
 * `ipfs-kit/models/publish` and `ipfs-kit/models/pull`: thin over
 * `kit.models`, for callers that speak HTTP. `publish` takes a directory on
 * the daemon's machine (`arg`), `name` and `revision`; `pull` takes the model
 * name (`arg`), `revision` and `dest` (a directory on the daemon's machine).
 * Both paths must be absolute: a relative one would depend on the daemon's
 * working directory, which the caller does not know.
 */
import path from 'node:path'
import { requiredArg, sendJson } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'

function absolutePath (value: string, option: string): string {
  if (value.includes('\0') || !path.isAbsolute(value)) throw new RpcError(400, `${option} must be an absolute path on the daemon's machine: ${JSON.stringify(value)}`)
  return path.normalize(value)
}

export async function modelPublish ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const dir = absolutePath(requiredArg(query), 'arg')
  const name = requiredArg(query, 'name')
  const revision = query.get('revision') ?? undefined
  const result = await kit.models.publish(dir, { name, revision, signal })
  sendJson(res, { Name: result.name, Revision: result.revision, Root: result.root, Files: result.files, Bytes: result.bytes, StoredFiles: result.storedFiles, ReusedFiles: result.reusedFiles })
}

export async function modelPull ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const name = requiredArg(query)
  const revision = query.get('revision') ?? undefined
  const destArg = query.get('dest')
  const dest = destArg == null || destArg === '' ? undefined : absolutePath(destArg, 'dest')
  const r = await kit.models.pull(name, { revision, dest, signal })
  sendJson(res, { Name: r.name, Revision: r.revision, Root: r.root, Files: r.files, Bytes: r.bytes, FetchedBytes: r.fetchedBytes, Providers: r.providers, Dest: r.dest ?? null })
}
