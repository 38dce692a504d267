/**
 * The trustless gateway (`GET`/`HEAD /ipfs/{cid}[/{path}]`): raw blocks
 * (`?format=raw`, `Accept: application/vnd.ipld.raw`), CARs (`?format=car`,
 * `dag-scope`, `entity-bytes`) and deserialized files with Range and ETag.
 *
 * @example
 * ```ts
 * const gateway = createGatewayServer(kit, { host: '127.0.0.1', port: 8080 })
 * await gateway.start()
 * // curl -o block.bin 'http://127.0.0.1:8080/ipfs/bafkrei…?format=raw'
 * await gateway.stop()
 * ```
 */
export { createGatewayServer } from './gateway-server.ts'
export type { GatewayServer, GatewayServerInit } from './gateway-server.ts'
