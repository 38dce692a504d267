/**
 * The daemon over HTTP: a Kubo-compatible RPC subset (`/api/v0/…`) so that
 * Kubo clients (kubo-rpc-client, the Python framework's Kubo code) work
 * unchanged against an ipfs-kit node.
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
export type { RpcServer, RpcServerInit } from './rpc-server.ts'
export { RpcError, toKuboError } from './rpc-error.ts'
export type { KuboErrorBody } from './rpc-error.ts'
export { parseApiAddress } from './api-address.ts'
export type { ApiAddress } from './api-address.ts'
