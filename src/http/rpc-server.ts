/**
 * The Kubo-compatible RPC server: POST `/api/v0/<command>` on a loopback
 * address, thin over the Kit. Browsers from other origins are turned away
 * (403), as Kubo does, since any web page can make a browser POST to localhost.
 */
import http from 'node:http'
import { isIP } from 'node:net'
import { logger } from '@libp2p/logger'
import { RPC_HEADERS_TIMEOUT_MS, RPC_IDLE_TIMEOUT_MS, RPC_MAX_CONCURRENT_REQUESTS } from '../constants.ts'
import { ConfigError } from '../errors.ts'
import { ROUTES } from './routes/index.ts'
import { RpcError, sendError, toKuboError } from './rpc-error.ts'
import type { Kit } from '../kit.ts'
import type { AddressInfo } from 'node:net'

const log = logger('ipfs-kit:http:rpc')
const PREFIX = '/api/v0/'

export interface RpcServerInit {
  /** Loopback address to bind; anything else is refused until the API has authentication. @default '127.0.0.1' */
  host?: string
  /** TCP port; 0 picks a free one. @default 5001 */
  port?: number
  /** Close a connection idle this long in both directions. @default RPC_IDLE_TIMEOUT_MS */
  idleTimeoutMs?: number
  /** Requests served at once; one more gets 429. @default RPC_MAX_CONCURRENT_REQUESTS */
  maxConcurrentRequests?: number
}

export interface RpcServer {
  /** Listen; rejects with ConfigError for a non-loopback host. */
  start(): Promise<void>
  /** Stop listening and cut open requests short. */
  stop(): Promise<void>
  /** `http://host:port` once started (the port actually bound). */
  readonly url: string
}

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback (host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

/**
 * Serve the Kubo RPC subset for `kit`.
 *
 * @example
 * const server = createRpcServer(kit, { host: '127.0.0.1', port: 0 })
 * await server.start()
 * const client = create({ url: server.url }) // kubo-rpc-client
 */
export function createRpcServer (kit: Kit, init: RpcServerInit = {}): RpcServer {
  const host = init.host ?? '127.0.0.1'
  // one controller per request, aborted by the client leaving or by stop(); not AbortSignal.any
  // over a server-wide signal, which keeps every request's listeners (and the block bytes their
  // closures hold) alive until that signal fires
  const active = new Set<AbortController>()
  let stopping = false
  let url = ''
  let ownOrigins = new Set<string>()

  const server = http.createServer((req, res) => {
    handle(req, res).catch(err => {
      // a caller's mistake (4xx) is theirs to read in the response; an operation that failed is ours
      if (toKuboError(err).status >= 500) log.error('%s %s failed - %e', req.method, req.url, err)
      else log('%s %s refused - %s', req.method, req.url, err.message)
      sendError(res, err)
    })
  })
  server.headersTimeout = RPC_HEADERS_TIMEOUT_MS
  server.requestTimeout = 0 // an upload of many GB may take as long as it needs, while it moves
  server.timeout = init.idleTimeoutMs ?? RPC_IDLE_TIMEOUT_MS

  async function handle (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://localhost')
    const origin = req.headers.origin
    if (origin != null && !ownOrigins.has(origin)) {
      req.resume()
      throw new RpcError(403, `origin ${origin} is not allowed to use this API`)
    }
    const route = parsed.pathname.startsWith(PREFIX) ? ROUTES.get(parsed.pathname.slice(PREFIX.length).replace(/\/$/, '')) : undefined
    if (route == null) {
      req.resume()
      throw new RpcError(404, `unknown command: ${parsed.pathname}`)
    }
    if (req.method !== 'POST') {
      req.resume()
      res.setHeader('Allow', 'POST')
      throw new RpcError(405, `${req.method} is not allowed: the RPC API takes POST only`)
    }
    if (stopping) throw new RpcError(503, 'the server is stopping')
    const limit = init.maxConcurrentRequests ?? RPC_MAX_CONCURRENT_REQUESTS
    if (active.size >= limit) {
      req.resume()
      throw new RpcError(429, `too many requests: ${limit} are in progress; retry when one finishes`)
    }
    const request = new AbortController()
    active.add(request)
    res.on('close', () => {
      active.delete(request)
      if (!res.writableFinished) request.abort(new RpcError(499, 'client went away'))
    })
    try {
      await route({ kit, req, res, query: parsed.searchParams, signal: request.signal })
    } finally {
      active.delete(request)
      // drain a body the route did not read, so the connection stays usable
      if (!req.readableEnded) req.resume()
    }
  }

  return {
    get url () { return url },
    async start () {
      if (!isLoopback(host)) {
        throw new ConfigError(`refusing to serve the RPC API on ${host}: it has no authentication yet, so it binds loopback only (127.0.0.1, ::1, localhost)`)
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(init.port ?? 5001, host, () => { server.off('error', reject); resolve() })
      })
      const { port } = server.address() as AddressInfo
      const shown = host.includes(':') ? `[${host}]` : host
      url = `http://${shown}:${port}`
      ownOrigins = new Set([url, `http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`])
    },
    async stop () {
      stopping = true
      for (const request of active) request.abort(new RpcError(503, 'the server is stopping'))
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
