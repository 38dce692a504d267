/**
 * `ipfs-kit/models/publish` and `ipfs-kit/models/pull`: thin over
 * `kit.models`, for callers that speak HTTP. `publish` takes a directory on
 * the daemon's machine (`arg`), `name` and `revision`; `pull` takes the model
 * name (`arg`), `revision` and `dest` (a directory on the daemon's machine).
 * Both paths must be absolute (a relative one would depend on the daemon's
 * working directory, which the caller does not know), and are refused (403)
 * without an API token or outside `api.allowed_paths` (local-paths.ts).
 * `pull` replaces files in `dest` that the model did not write only with
 * `force`.
 */
import { boolParam, requiredArg, sendJson } from '../request-context.ts'
import type { RequestContext } from '../request-context.ts'

export async function modelPublish ({ kit, query, signal, res, localPath }: RequestContext): Promise<void> {
  const name = requiredArg(query, 'name')
  const dir = await localPath(requiredArg(query), 'arg')
  const revision = query.get('revision') ?? undefined
  const result = await kit.models.publish(dir, { name, revision, signal })
  sendJson(res, { Name: result.name, Revision: result.revision, Root: result.root, Files: result.files, Bytes: result.bytes, StoredFiles: result.storedFiles, ReusedFiles: result.reusedFiles })
}

export async function modelPull ({ kit, query, signal, res, localPath }: RequestContext): Promise<void> {
  const name = requiredArg(query)
  const revision = query.get('revision') ?? undefined
  const force = boolParam(query, 'force', false)
  const destArg = query.get('dest')
  const dest = destArg == null || destArg === '' ? undefined : await localPath(destArg, 'dest')
  const r = await kit.models.pull(name, { revision, dest, force, signal })
  sendJson(res, { Name: r.name, Revision: r.revision, Root: r.root, Files: r.files, Bytes: r.bytes, FetchedBytes: r.fetchedBytes, Providers: r.providers, Dest: r.dest ?? null })
}
