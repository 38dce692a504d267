/**
 * The read-only pages beside the RPC API, answered to GET and HEAD: `/` (the
 * status page), `/status` (`kit.status()` as JSON) and `/metrics` (Prometheus).
 */
import { STATUS_PAGE, STATUS_PAGE_CSP } from './status-page.ts'
import type { RequestContext, RouteHandler } from './request-context.ts'

async function page ({ req, res }: RequestContext): Promise<void> {
  send(req.method, res, 200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': STATUS_PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store'
  }, STATUS_PAGE)
}

async function status ({ kit, req, res }: RequestContext): Promise<void> {
  send(req.method, res, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, JSON.stringify(await kit.status()) + '\n')
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
