/**
 * The read-only pages beside the RPC API, answered to GET and HEAD: `/` (the
 * status page), `/status` (`kit.status()` as JSON, documented in
 * docs/status.schema.json) and `/metrics` (Prometheus).
 */
import { STATUS_REUSE_MS } from '../constants.ts'
import { intParam } from './request-context.ts'
import { STATUS_PAGE, STATUS_PAGE_CSP } from './status-page.ts'
import type { RequestContext, RouteHandler } from './request-context.ts'
import type { Kit } from '../kit.ts'
import type { NodeStatus } from '../metrics/index.ts'

async function page ({ req, res }: RequestContext): Promise<void> {
  send(req.method, res, 200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': STATUS_PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store'
  }, STATUS_PAGE)
}

/** The latest `kit.status()` per kit, shared by the requests of STATUS_REUSE_MS (each is a repo scan). */
const recent = new WeakMap<Kit, { at: number, value: Promise<NodeStatus> }>()

function sharedStatus (kit: Kit): Promise<NodeStatus> {
  const last = recent.get(kit)
  if (last != null && Date.now() - last.at < STATUS_REUSE_MS) return last.value
  const value = kit.status()
  // a failed read is not shared: the next request tries again
  value.catch(() => { if (recent.get(kit)?.value === value) recent.delete(kit) })
  recent.set(kit, { at: Date.now(), value })
  return value
}

/** `/status`; `?since=<ms>` keeps only the history samples taken after that time (what a polling page lacks). */
async function status ({ kit, req, res, query }: RequestContext): Promise<void> {
  const since = intParam(query, 'since')
  const value = await sharedStatus(kit)
  const body = since == null ? value : { ...value, history: { ...value.history, samples: value.history.samples.filter(s => s.at > since) } }
  send(req.method, res, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, JSON.stringify(body) + '\n')
}

async function metrics ({ kit, req, res }: RequestContext): Promise<void> {
  send(req.method, res, 200, { 'Content-Type': kit.telemetry.contentType, 'Cache-Control': 'no-store' }, await kit.telemetry.prometheus())
}

function send (method: string | undefined, res: RequestContext['res'], status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) })
  res.end(method === 'HEAD' ? undefined : body)
}

/** Read-only paths, by exact path. */
export const PAGES: ReadonlyMap<string, RouteHandler> = new Map([
  ['/', page],
  ['/status', status],
  ['/metrics', metrics]
])
