/**
 * Who may use the API: a Bearer token when `api.auth_token` is set (compared
 * in constant time), and without one, loopback binds only, reached under a
 * loopback host name (so a web page that rebinds its DNS name to 127.0.0.1
 * cannot read the API).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { ConfigError } from '../errors.ts'
import { RpcError } from './rpc-error.ts'
import type { IncomingMessage } from 'node:http'

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback (host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

/** Refuse to serve a non-loopback address without a token, saying why. */
export function assertBindable (host: string, token: string | undefined): void {
  if (isLoopback(host) || token != null) return
  throw new ConfigError(`refusing to serve the RPC API on ${host}: it has no authentication unless ipfs_kit.api.auth_token is set, and anyone who reaches ${host} could add, pin and delete content; set a token (clients then send "Authorization: Bearer <token>") or bind 127.0.0.1`)
}

/** A check for each request: 401 without the right Bearer token (when there is one), 403 for a foreign Host on a loopback bind. */
export function requestGuard (host: string, token: string | undefined): (req: IncomingMessage) => void {
  const expected = token == null ? undefined : digest(token)
  const loopback = isLoopback(host)
  return req => {
    if (expected != null) {
      const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')
      // digests of equal length, so the comparison takes the same time whatever was sent
      if (match == null || !timingSafeEqual(digest((match[1] as string).trim()), expected)) {
        throw new RpcError(401, match == null ? 'this API needs "Authorization: Bearer <token>" (ipfs_kit.api.auth_token)' : 'wrong API token')
      }
      return
    }
    const hostHeader = req.headers.host
    if (loopback && hostHeader != null && !isLoopback(hostName(hostHeader))) {
      throw new RpcError(403, `host ${hostHeader} is not allowed: this API answers loopback names only`)
    }
  }
}

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** The host part of a Host header (`[::1]:5001` → `[::1]`, `localhost:5001` → `localhost`). */
function hostName (header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1)
  const colon = header.lastIndexOf(':')
  return colon === -1 ? header : header.slice(0, colon)
}
