/**
 * The MCP server (Model Context Protocol, `@modelcontextprotocol/sdk`): the
 * node's operations as tools for AI agents, generated from the operation
 * registry that the control channel serves too (control/registry), over
 * stdio (`ipfs-kit mcp`) and streamable HTTP (`/mcp` on the daemon's RPC
 * address).
 *
 * @example
 * ```ts
 * import { serveStdio, stdioPathPolicy } from './mcp/index.ts'
 *
 * await serveStdio({ operations: localOperations(kit), checkPath: stdioPathPolicy({ allowedPaths: [] }) })
 * ```
 */
export { createMcpServer } from './server.ts'
export type { McpServerInit } from './server.ts'
export { serveStdio } from './stdio.ts'
export type { StdioServeInit } from './stdio.ts'
export { createMcpHttpHandler } from './http.ts'
export type { McpHttpHandler, McpHttpInit, MountContext } from './http.ts'
export { stdioPathPolicy, httpPathPolicy } from './paths.ts'
export type { PathCheck, StdioPathPolicyInit } from './paths.ts'
