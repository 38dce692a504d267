/**
 * The read-only pages beside the RPC API, answered to GET and HEAD: `/` (the
 * status page), `/status` (`kit.status()` as JSON, documented in
 * docs/status.schema.json) and `/metrics` (Prometheus).
 */
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

/**
 * `kit.status()` (a repo scan, O(blocks)) at most once at a time per kit, however many pages poll:
 * a request that arrives while one runs waits for it to end and then shares the next one with
 * every other request that arrived meanwhile. Each answer was read after its request arrived, so
 * a client that writes and then asks sees its write.
 */
const reads = new WeakMap<Kit, { running?: Promise<NodeStatus>, next?: Promise<NodeStatus> }>()

async function sharedStatus (kit: Kit): Promise<NodeStatus> {
  let state = reads.get(kit)
  if (state == null) reads.set(kit, state = {})
  const shared = state
  const start = (): Promise<NodeStatus> => {
    const value = kit.status()
    shared.running = value
    value.then(() => {}, () => {}).finally(() => { if (shared.running === value) shared.running = undefined })
    return value
  }
  if (shared.running == null) return await start()
  shared.next ??= shared.running.then(() => {}, () => {}).then(() => {
    shared.next = undefined
    return start()
  })
  return await shared.next
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
