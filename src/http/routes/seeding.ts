/** `ipfs-kit/seeding/stats` and `ipfs-kit/replication/ls`: access statistics and replications, as JSON. */
import { sendJson } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'

export async function seedingStats ({ kit, query, res }: RequestContext): Promise<void> {
  const limit = query.get('limit')
  if (limit != null && !/^[1-9]\d{0,5}$/.test(limit)) throw new RpcError(400, `limit must be a positive integer, got ${limit}`)
  sendJson(res, kit.seeding.stats({ limit: limit == null ? undefined : Number(limit) }))
}

export async function replicationLs ({ kit, res }: RequestContext): Promise<void> {
  sendJson(res, kit.seeding.replications())
}
