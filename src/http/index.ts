/**
 * The daemon over HTTP: a Kubo-compatible RPC subset (`/api/v0/…`) so that
 * Kubo clients (kubo-rpc-client, the Python framework's Kubo code) work
 * unchanged against an ipfs-kit node.
 *
 * Commands (POST only; an `Origin` other than the server's own is refused with 403):
 * `add` (multipart, streamed, files and directories, `wrap-with-directory`; `pin` defaults to true;
 * options that would give other CIDs than the unixfs-v1-2025 profile are refused with 400), `cat`
 * (`offset`, `length`, `/ipfs/<cid>/<path>`), `ls`, `get` (tar), `dag/export`, `dag/import`, `block/get`,
 * `block/put` (`cid-codec` raw|dag-pb|dag-json, sha2-256; our extension `cid=<expected>` refuses
 * bytes that hash otherwise), `block/stat`, `pin/add|rm|ls`, `repo/gc`, `repo/stat`, `id`,
 * `version`, `swarm/peers`, `routing/findprovs`, and our `ipfs-kit/status` and
 * `ipfs-kit/models/providers|publish|pull`. The trustless gateway (`createGatewayServer`) serves
 * `GET`/`HEAD /ipfs/{cid}[/{path}]` as raw blocks, CARs and files. Errors are Kubo's `{ Message, Code: 0, Type: 'error' }`: 400 for
 * bad arguments, 500 for failed operations, 403/404/405/413 as named, 401 without the API token
 * (when `authToken` is set), 429 past the concurrent request limit, 504 when a network-bound call
 * has nothing to send by its deadline.
 *
 * Read-only GET paths beside the API: `/` (status page), `/status` (`kit.status()`), `/metrics`
 * (Prometheus text).
 *
 * @example
 * ```ts
 * import { createRpcServer } from './http/index.ts'
 *
 * const server = createRpcServer(kit, { host: '127.0.0.1', port: 5001 })
 * await server.start()
 * // curl -X POST 'http://127.0.0.1:5001/api/v0/cat?arg=bafk…'
 * await server.stop()
 * ```
 */
export { createRpcServer, isLoopback } from './rpc-server.ts'
export type { RpcServer, RpcServerInit, RpcMount } from './rpc-server.ts'
export { RpcError, toKuboError } from './rpc-error.ts'
export type { KuboErrorBody } from './rpc-error.ts'
export { parseApiAddress } from './api-address.ts'
export { localPathPolicy, realpathOfNearest, isInside } from './local-paths.ts'
export type { LocalPathCheck } from './local-paths.ts'
export type { ApiAddress } from './api-address.ts'
export { createGatewayServer } from './gateway/index.ts'
export type { GatewayServer, GatewayServerInit } from './gateway/index.ts'
