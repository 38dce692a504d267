/**
 * The Kubo-compatible RPC server: POST `/api/v0/<command>` on a loopback
 * address (or any address with a Bearer token), thin over the Kit, plus the
 * read-only GET pages `/`, `/status` and `/metrics`. Browsers from other
 * origins are turned away (403), as Kubo does, since any web page can make a
 * browser POST to localhost.
 */
import http from 'node:http'
import { logger } from '@libp2p/logger'
import { RPC_HEADERS_TIMEOUT_MS, RPC_IDLE_TIMEOUT_MS, RPC_MAX_CONCURRENT_REQUESTS } from '../constants.ts'
import { assertBindable, requestGuard } from './auth.ts'
import { localPathPolicy } from './local-paths.ts'
import { isPinServicePath, sendPinServiceError, servePinService } from './pin-service.ts'
import { checkBodySize, firstByteDeadline } from './request-limits.ts'
import { ROUTES } from './routes/index.ts'
import { RpcError, sendError, toKuboError } from './rpc-error.ts'
import { PAGES } from './status-routes.ts'
import type { LocalPathCheck } from './local-paths.ts'
import type { Kit } from '../kit.ts'
import type { AddressInfo } from 'node:net'

const log = logger('ipfs-kit:http:rpc')
const PREFIX = '/api/v0/'

export { isLoopback } from './auth.ts'

export interface RpcServerInit {
  /** Address to bind; anything but loopback needs `authToken`. @default '127.0.0.1' */
  host?: string
  /** Bearer token every request must carry (config `api.auth_token`). @default none: loopback only */
  authToken?: string
  /**
   * Directories under which a call may name a path on this machine (`models/publish`, `models/pull`
   * `dest`), and only with `authToken` (config `api.allowed_paths`). @default [] (none)
   */
  allowedPaths?: readonly string[]
  /** Largest body of a call that is not an upload; larger is 413. @default RPC_MAX_BODY_BYTES */
  maxBodyBytes?: number
  /** Time a network-bound call has for its first byte; then 504. @default RPC_NETWORK_TIMEOUT_MS */
  networkTimeoutMs?: number
  /** TCP port; 0 picks a free one. @default 5001 */
  port?: number
  /** Close a connection idle this long in both directions. @default RPC_IDLE_TIMEOUT_MS */
  idleTimeoutMs?: number
  /** Requests served at once; one more gets 429. @default RPC_MAX_CONCURRENT_REQUESTS */
  maxConcurrentRequests?: number
  /**
   * Other services at their own paths (`/mcp`), behind the same token, Host and Origin checks;
   * they take any method and read their own bodies. @default none
   */
  mounts?: ReadonlyMap<string, RpcMount>
}

/** A service mounted at a path of the RPC server. */
export interface RpcMount {
  handle(req: http.IncomingMessage, res: http.ServerResponse, context: { signal: AbortSignal, localPath: LocalPathCheck }): Promise<void>
  /** Called when the server stops. */
  close?(): Promise<void>
}

export interface RpcServer {
  /** Listen; rejects with ConfigError for a non-loopback host without a token. */
  start(): Promise<void>
  /** Stop listening and cut open requests short. */
  stop(): Promise<void>
  /** `http://host:port` once started (the port actually bound). */
  readonly url: string
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
  const guard = requestGuard(host, init.authToken)
  const localPath = localPathPolicy({ authToken: init.authToken, allowedPaths: init.allowedPaths })

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
    // the Pinning Service API: only behind a token (the spec's bearer token), with the spec's error bodies
    if (init.authToken != null && isPinServicePath(parsed.pathname)) {
      await servePins(req, res, parsed).catch(err => {
        if (toKuboError(err).status >= 500) log.error('%s %s failed - %e', req.method, req.url, err)
        sendPinServiceError(res, err)
      })
      return
    }
    try {
      guard(req)
    } catch (err: any) {
      req.resume()
      if (err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="ipfs-kit"')
      throw err
    }
    const origin = req.headers.origin
    if (origin != null && !ownOrigins.has(origin)) {
      req.resume()
      throw new RpcError(403, `origin ${origin} is not allowed to use this API`)
    }
    const mount = init.mounts?.get(parsed.pathname)
    if (mount != null) {
      await serveMount(mount, req, res)
      return
    }
    const page = PAGES.get(parsed.pathname)
    if (page != null) {
      req.resume()
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD')
        throw new RpcError(405, `${req.method} is not allowed: ${parsed.pathname} is read-only (GET)`)
      }
    }
    const command = parsed.pathname.startsWith(PREFIX) ? parsed.pathname.slice(PREFIX.length).replace(/\/$/, '') : ''
    const route = page ?? ROUTES.get(command)
    if (route == null) {
      req.resume()
      throw new RpcError(404, `unknown command: ${parsed.pathname}`)
    }
    if (page == null && req.method !== 'POST') {
      req.resume()
      res.setHeader('Allow', 'POST')
      throw new RpcError(405, `${req.method} is not allowed: the RPC API takes POST only`)
    }
    const request = admit(req, res)
    if (page == null) {
      try {
        checkBodySize(command, req, init.maxBodyBytes)
      } catch (err) {
        req.resume()
        throw err
      }
    }
    const deadline = page == null ? firstByteDeadline(command, parsed.searchParams, init.networkTimeoutMs) : undefined
    // past the deadline with nothing sent yet, the call is aborted and answered 504; once bytes flow it runs on
    const timer = deadline == null
      ? undefined
      : setTimeout(() => {
        if (!res.headersSent) request.abort(new RpcError(504, `${command} timed out after ${deadline} ms without a response (waiting on the network); retry, or raise ?timeout=`))
      }, deadline)
    try {
      await route({ kit, req, res, query: parsed.searchParams, signal: request.signal, localPath })
    } catch (err) {
      // whatever the aborted operation threw, the caller learns why it was aborted
      const reason = request.signal.reason
      if (request.signal.aborted && reason instanceof RpcError && reason.status === 504) throw reason
      throw err
    } finally {
      clearTimeout(timer)
      active.delete(request)
      // drain a body the route did not read, so the connection stays usable
      if (!req.readableEnded) req.resume()
    }
  }

  /**
   * Admit a request, or refuse it while stopping (503) or past RPC_MAX_CONCURRENT_REQUESTS in
   * progress (429): it counts as in progress until its response closes, and a client that goes
   * away aborts it.
   */
  function admit (req: http.IncomingMessage, res: http.ServerResponse): AbortController {
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
    return request
  }

  async function servePins (req: http.IncomingMessage, res: http.ServerResponse, parsed: URL): Promise<void> {
    try {
      guard(req)
    } catch (err: any) {
      req.resume()
      res.setHeader('WWW-Authenticate', 'Bearer realm="ipfs-kit"')
      throw err
    }
    const origin = req.headers.origin
    if (origin != null && !ownOrigins.has(origin)) {
      req.resume()
      throw new RpcError(403, `origin ${origin} is not allowed to use this API`)
    }
    const request = admit(req, res)
    try {
      await servePinService(kit, req, res, parsed)
    } finally {
      active.delete(request)
    }
  }

  async function serveMount (mount: RpcMount, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const request = admit(req, res)
    await mount.handle(req, res, { signal: request.signal, localPath })
  }

  return {
    get url () { return url },
    async start () {
      assertBindable(host, init.authToken)
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
      await Promise.all([...(init.mounts?.values() ?? [])].map(async mount => { await mount.close?.() }))
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
