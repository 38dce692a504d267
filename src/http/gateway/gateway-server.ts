/**
 * The trustless gateway: `GET`/`HEAD /ipfs/{cid}[/{path}]` on a loopback
 * address, serving raw blocks, CARs and files from the kit's blocks. Errors
 * are plain text with the status a gateway client expects: 400 for a bad CID
 * or path, 404 for content this node does not have (offline) or a name not in
 * a directory, 405 for other methods, 504 when peers are too slow.
 */
import http from 'node:http'
import { logger } from '@libp2p/logger'
import { GATEWAY_DEFAULT_ADDRESS, GATEWAY_FETCH_TIMEOUT_MS, GATEWAY_MAX_CONCURRENT_REQUESTS, RPC_HEADERS_TIMEOUT_MS, RPC_IDLE_TIMEOUT_MS } from '../../constants.ts'
import { ConfigError } from '../../errors.ts'
import { parseApiAddress } from '../api-address.ts'
import { kitBlockSource } from '../kit-blocks.ts'
import { RpcError } from '../rpc-error.ts'
import { isLoopback } from '../rpc-server.ts'
import { gatewayStatus } from './gateway-status.ts'
import { parseGatewayPath } from './request-path.ts'
import { serveIpfs } from './serve-ipfs.ts'
import type { Kit } from '../../kit.ts'
import type { AddressInfo } from 'node:net'

const log = logger('ipfs-kit:http:gateway')
const DEFAULT = parseApiAddress(GATEWAY_DEFAULT_ADDRESS, 'GATEWAY_DEFAULT_ADDRESS')

export interface GatewayServerInit {
  /** Loopback address to bind; anything else is refused. @default the host of GATEWAY_DEFAULT_ADDRESS */
  host?: string
  /** TCP port; 0 picks a free one. @default the port of GATEWAY_DEFAULT_ADDRESS */
  port?: number
  /** Longest wait for one block from peers before 504. @default GATEWAY_FETCH_TIMEOUT_MS */
  fetchTimeoutMs?: number
  /** Requests served at once; one more gets 429. @default GATEWAY_MAX_CONCURRENT_REQUESTS */
  maxConcurrentRequests?: number
}

export interface GatewayServer {
  /** Listen; rejects with ConfigError for a non-loopback host. */
  start(): Promise<void>
  stop(): Promise<void>
  /** `http://host:port` once started. */
  readonly url: string
}

/**
 * Serve a trustless gateway for `kit`.
 *
 * @example
 * const gateway = createGatewayServer(kit, { port: 8080 })
 * await gateway.start()
 * // curl -H 'Accept: application/vnd.ipld.raw' http://127.0.0.1:8080/ipfs/bafkrei…
 */
export function createGatewayServer (kit: Kit, init: GatewayServerInit = {}): GatewayServer {
  const host = init.host ?? DEFAULT.host
  const source = kitBlockSource(kit, { timeoutMs: init.fetchTimeoutMs ?? GATEWAY_FETCH_TIMEOUT_MS })
  const limit = init.maxConcurrentRequests ?? GATEWAY_MAX_CONCURRENT_REQUESTS
  const active = new Set<AbortController>()
  let url = ''

  const server = http.createServer((req, res) => {
    handle(req, res).catch(err => {
      const status = gatewayStatus(err)
      if (status >= 500 && status !== 504) log.error('%s %s failed - %e', req.method, req.url, err)
      else log('%s %s: %d %s', req.method, req.url, status, err.message)
      if (res.headersSent) {
        // mid-stream: the client sees a truncated body (and, for a CAR, blocks that do not add up)
        res.destroy()
        return
      }
      const body = `${err.message ?? String(err)}\n`
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'X-Content-Type-Options': 'nosniff' })
      res.end(req.method === 'HEAD' ? undefined : body)
    })
  })
  server.headersTimeout = RPC_HEADERS_TIMEOUT_MS
  server.requestTimeout = 0
  server.timeout = RPC_IDLE_TIMEOUT_MS

  async function handle (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.resume() // no request bodies here
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      throw new RpcError(405, `${req.method} is not allowed: the gateway is read-only (GET, HEAD)`)
    }
    if (active.size >= limit) throw new RpcError(429, `too many requests: ${limit} are in progress`)
    const target = parseGatewayPath(req.url ?? '/')
    const request = new AbortController()
    active.add(request)
    res.on('close', () => {
      active.delete(request)
      if (!res.writableFinished) request.abort(new RpcError(499, 'client went away'))
    })
    try {
      await serveIpfs({ req, res, target, source, signal: request.signal })
      // a read of the root the path starts at (what a pin would keep), for the access statistics
      if (req.method === 'GET') kit.seeding.noteRead(target.root.toString())
    } finally {
      active.delete(request)
    }
  }

  return {
    get url () { return url },
    async start () {
      if (!isLoopback(host)) {
        throw new ConfigError(`refusing to serve the gateway on ${host}: it has no authentication yet, so it binds loopback only (127.0.0.1, ::1, localhost)`)
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(init.port ?? DEFAULT.port, host, () => { server.off('error', reject); resolve() })
      })
      const { port } = server.address() as AddressInfo
      url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    },
    async stop () {
      for (const request of active) request.abort(new RpcError(503, 'the gateway is stopping'))
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
