/**
 * The daemon's local control channel: while a daemon holds a data directory
 * (and LevelDB's lock with it), CLI commands on that directory run through
 * the daemon over `<dataDir>/control.sock`, like Kubo's CLI does.
 *
 * @example
 * // daemon side
 * const server = createControlServer(kit)
 * await server.start()
 *
 * // CLI side
 * const daemon = controlClient(dataDir)
 * const { cid } = await daemon.add({ path: 'weights.bin' })
 */
export { createControlServer } from './server.ts'
export type { ControlServer, ControlServerInit } from './server.ts'
export { controlClient } from './client.ts'
export type { ControlClient, ControlClientInit } from './client.ts'
export { localOperations } from './operations.ts'
export type { KitOperations, AddInput, AddOptions, AddResult, CatOptions, IdResult, PinEntry } from './operations.ts'
export { RemoteError, ControlSocketError, BadRequestError } from './errors.ts'
export { toErrorShape } from './protocol.ts'
export type { ErrorShape } from './protocol.ts'
export { OPERATIONS, operationSpec } from './registry/index.ts'
export { callOperation, runOperation } from './operation-spec.ts'
export type { OperationSpec, OperationAnnotations, OperationContext, InputSchema, Zod } from './operation-spec.ts'
export { inputSchema, describeIssues } from './schemas.ts'
