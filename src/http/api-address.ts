/**
 * Where the RPC API listens, from `--api` or `backends.ipfs.api_endpoint`:
 * `host:port`, `http://host:port` or Kubo's `/ip4/…/tcp/…` multiaddr form.
 */
import { ConfigError } from '../errors.ts'

export interface ApiAddress {
  host: string
  port: number
}

/** Parse an API address; ConfigError names `source` (the flag or config key) when it is malformed. */
export function parseApiAddress (value: string, source = '--api'): ApiAddress {
  const multiaddr = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)\/?$/.exec(value)
  let host: string | undefined
  let port: string | undefined
  if (multiaddr != null) {
    host = multiaddr[2]
    port = multiaddr[3]
  } else {
    let url: URL | undefined
    try {
      url = new URL(value.includes('://') ? value : `http://${value}`)
    } catch { /* reported below as not an API address */ }
    if (url != null && url.protocol === 'http:' && (url.pathname === '/' || url.pathname === '')) {
      host = url.hostname.replace(/^\[|\]$/g, '')
      port = url.port === '' ? (value.includes('://') ? '80' : undefined) : url.port
    }
  }
  const n = Number(port)
  if (host == null || host === '' || port == null || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${source}: ${JSON.stringify(value)} is not an API address; use host:port such as 127.0.0.1:5001`)
  }
  return { host, port: n }
}
