/**
 * `ipfs-kit/datasets/{providers,plan,pull,publish}`: thin over
 * `kit.datasets`. `plan` needs no path, so a client without a token (the
 * Python package) asks for its share and streams each shard over `cat` into
 * files its own process writes. `publish` takes a directory on the daemon's
 * machine (`arg`) and `pull` a `dest` there: both absolute, and refused
 * (403) without an API token or outside `api.allowed_paths`, as for models.
 */
import { InvalidShareError } from '../../errors.ts'
import { boolParam, intParam, requiredArg, sendJson, sendJsonLines } from '../request-context.ts'
import type { RequestContext } from '../request-context.ts'

export async function datasetProviders ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const name = requiredArg(query)
  const providers = await kit.datasets.findProviders(name, { revision: query.get('revision') ?? undefined, timeoutMs: intParam(query, 'timeout-ms'), signal })
  await sendJsonLines(res, providers.map(p => ({ ID: p.peerId, Addrs: p.addresses, Root: p.root, Revision: p.revision, Via: p.via, Publisher: p.publisher ?? null, Trusted: p.trusted ?? false, Error: p.error ?? null })), signal)
}

export async function datasetPlan ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const name = requiredArg(query)
  const plan = await kit.datasets.plan(name, { rank: share(query, 'rank'), world: share(query, 'world'), revision: query.get('revision') ?? undefined, signal })
  sendJson(res, {
    Name: plan.name,
    Revision: plan.revision,
    Root: plan.root,
    Rank: plan.rank,
    World: plan.world,
    Bytes: plan.bytes,
    Shards: plan.shards.map(s => ({ Path: s.path, Size: s.size, Cid: s.cid, Sha256: s.sha256, Records: s.records ?? null }))
  })
}

export async function datasetPull ({ kit, query, signal, res, localPath }: RequestContext): Promise<void> {
  const name = requiredArg(query)
  const group = query.get('group') ?? undefined
  const destArg = query.get('dest')
  const dest = destArg == null || destArg === '' ? undefined : await localPath(destArg, 'dest')
  const r = await kit.datasets.pull(name, {
    ...(group != null ? { group } : { rank: share(query, 'rank'), world: share(query, 'world') }),
    ...(group != null && (query.has('rank') || query.has('world')) ? { rank: share(query, 'rank'), world: share(query, 'world') } : {}),
    revision: query.get('revision') ?? undefined,
    dest,
    force: boolParam(query, 'force', false),
    signal
  })
  sendJson(res, { Name: r.name, Revision: r.revision, Root: r.root, Shards: r.shards, Bytes: r.bytes, FetchedBytes: r.fetchedBytes, Providers: r.providers, Members: r.members ?? null, Dest: r.dest ?? null })
}

export async function datasetPublish ({ kit, query, signal, res, localPath }: RequestContext): Promise<void> {
  const name = requiredArg(query, 'name')
  const dir = await localPath(requiredArg(query), 'arg')
  const r = await kit.datasets.publish(dir, { name, revision: query.get('revision') ?? undefined, shardSize: intParam(query, 'shard-size'), signal })
  sendJson(res, { Name: r.name, Revision: r.revision, Root: r.root, Shards: r.shards, Bytes: r.bytes, StoredFiles: r.storedFiles, ReusedFiles: r.reusedFiles })
}

/** `rank` / `world` as integers; a missing or malformed one is the library's one-line share error (400). */
function share (query: URLSearchParams, name: 'rank' | 'world'): number {
  const raw = query.get(name)
  const n = raw == null || raw === '' ? NaN : Number(raw)
  if (!Number.isSafeInteger(n)) throw new InvalidShareError(`${name} must be an integer, not ${JSON.stringify(raw)}`)
  return n
}
