/** `pin/add|rm|ls`: every pin here is recursive, as Kubo's default. */
import { parseCid } from '../../blocks/index.ts'
import { boolParam, cidArg, requiredArg, sendJson, sendJsonLines } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'

function args (query: URLSearchParams): string[] {
  const all = query.getAll('arg').map(cidArg)
  if (all.length === 0) requiredArg(query)
  return all.map(arg => parseCid(arg).toString())
}

export async function pinAdd ({ kit, query, signal, res }: RequestContext): Promise<void> {
  if (!boolParam(query, 'recursive', true)) throw new RpcError(400, 'direct pins are not supported; pins are recursive')
  const cids = args(query)
  // ours: `replicas=N` or `MIN:MAX`, the live holders the cluster keeps
  const replicas = query.get('replicas') ?? undefined
  if (replicas != null && !/^\d+(:\d+)?$/.test(replicas)) throw new RpcError(400, `replicas must be N or MIN:MAX (like 3 or 2:4), got ${replicas}`)
  for (const cid of cids) {
    if (!await kit.storage.pin(cid, { signal, replicas })) throw new RpcError(500, `pin: block was not found locally (offline): ${cid}`)
  }
  sendJson(res, { Pins: cids })
}

export async function pinRm ({ kit, query, res }: RequestContext): Promise<void> {
  const cids = args(query)
  for (const cid of cids) {
    if (!await kit.storage.unpin(cid)) throw new RpcError(500, `${cid} is not pinned`)
  }
  sendJson(res, { Pins: cids })
}

export async function pinLs ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const type = query.get('type') ?? 'all'
  if (!['all', 'recursive', 'direct', 'indirect'].includes(type)) throw new RpcError(400, `invalid type "${type}", must be one of {direct, indirect, recursive, all}`)
  const wanted = query.getAll('arg').map(arg => parseCid(cidArg(arg)).toString())
  // `Origins` is ours (why the root is pinned); Kubo's clients ignore fields they do not know
  const pins: Array<{ cid: string, origins: string[] }> = []
  if (type === 'all' || type === 'recursive') {
    for await (const pin of kit.storage.pins({ signal })) {
      if (wanted.length === 0 || wanted.includes(pin.cid)) pins.push({ cid: pin.cid, origins: pin.origins })
    }
  }
  for (const cid of wanted) {
    if (!pins.some(pin => pin.cid === cid)) throw new RpcError(500, `path '${cid}' is not pinned`)
  }
  if (boolParam(query, 'stream', false)) {
    await sendJsonLines(res, pins.map(({ cid, origins }) => ({ Cid: cid, Type: 'recursive', Origins: origins })), signal)
    return
  }
  sendJson(res, { Keys: Object.fromEntries(pins.map(({ cid, origins }) => [cid, { Type: 'recursive', Origins: origins }])) })
}
