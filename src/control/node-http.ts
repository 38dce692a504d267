/**
 * node:http, loaded with `require` instead of `import`. An ESM import of a
 * builtin builds its namespace by reading every export, and node:http's lazy
 * ones (`WebSocket`, `CloseEvent`, `MessageEvent`) load undici, http2 and tls
 * with them: about 100 ms of CPU at every CLI start (measured on Node 24: 135 ms
 * for `import`, 10 ms for `require`), half of what `ipfs-kit cat` through a
 * daemon spends before its first byte. Neither the client nor the server uses
 * those exports.
 */
import { createRequire } from 'node:module'

const http = createRequire(import.meta.url)('node:http') as typeof import('node:http')

export const request = http.request
export const createServer = http.createServer
