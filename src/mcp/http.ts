/**
 * The MCP server over streamable HTTP, mounted at `/mcp` on the daemon's RPC
 * address: the RPC server has already checked the token, the Host and the
 * Origin. One MCP session per client (the `Mcp-Session-Id` header), so that
 * a cancellation reaches the call it cancels; at most MCP_MAX_SESSIONS, the
 * least recently used closed for a new one, and any unused for
 * MCP_SESSION_IDLE_MS closed when a new one starts.
 */
import { randomUUID } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { MCP_MAX_REQUEST_BYTES, MCP_MAX_SESSIONS, MCP_SESSION_IDLE_MS } from '../constants.ts'
import { httpPathPolicy } from './paths.ts'
import { createMcpServer } from './server.ts'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { LocalPathCheck } from '../http/index.ts'
import type { KitOperations } from '../control/index.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'

const log = logger('ipfs-kit:mcp:http')

export interface McpHttpInit {
  operations: KitOperations
  /** Config `mcp.max_output_bytes`. */
  maxOutputBytes?: number
  /** @default MCP_MAX_SESSIONS */
  maxSessions?: number
  /** @default MCP_SESSION_IDLE_MS */
  sessionIdleMs?: number
}

/** What the RPC server passes a mounted handler. */
export interface MountContext {
  signal: AbortSignal
  /** The RPC API's path rule. */
  localPath: LocalPathCheck
}

export interface McpHttpHandler {
  handle(req: IncomingMessage, res: ServerResponse, context: MountContext): Promise<void>
  /** Close every session. */
  close(): Promise<void>
}

interface Session {
  server: McpServer
  transport: StreamableHTTPServerTransport
  lastUsed: number
}

/**
 * @example
 * const mcp = createMcpHttpHandler({ operations: localOperations(kit) })
 * createRpcServer(kit, { mounts: new Map([['/mcp', mcp]]) })
 */
export function createMcpHttpHandler (init: McpHttpInit): McpHttpHandler {
  const sessions = new Map<string, Session>()
  const maxSessions = init.maxSessions ?? MCP_MAX_SESSIONS
  const idleMs = init.sessionIdleMs ?? MCP_SESSION_IDLE_MS

  const closeSession = async (id: string): Promise<void> => {
    const session = sessions.get(id)
    sessions.delete(id)
    await session?.server.close().catch((err: unknown) => { log('closing session %s - %e', id, err) })
  }

  /** Room for one more session: the idle ones go, then the least recently used. */
  const makeRoom = async (): Promise<void> => {
    const now = Date.now()
    for (const [id, session] of sessions) if (now - session.lastUsed > idleMs) await closeSession(id)
    while (sessions.size >= maxSessions) {
      const oldest = [...sessions].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]
      if (oldest == null) break
      await closeSession(oldest[0])
    }
  }

  return {
    handle: async (req, res, context) => {
      const id = req.headers['mcp-session-id']
      if (typeof id === 'string') {
        const session = sessions.get(id)
        if (session == null) {
          sendJsonRpcError(res, 404, -32001, 'session not found: start a new one (initialize)')
          return
        }
        session.lastUsed = Date.now()
        await session.transport.handleRequest(req, res)
        return
      }
      if (req.method !== 'POST') {
        sendJsonRpcError(res, 400, -32000, 'no Mcp-Session-Id: start a session with a POST of initialize')
        return
      }
      await makeRoom()
      const server = await createMcpServer({ operations: init.operations, checkPath: httpPathPolicy(context.localPath), maxOutputBytes: init.maxOutputBytes })
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        maxRequestBodySize: MCP_MAX_REQUEST_BYTES,
        onsessioninitialized: sessionId => { sessions.set(sessionId, { server, transport, lastUsed: Date.now() }) },
        onsessionclosed: sessionId => { sessions.delete(sessionId) }
      })
      server.server.onclose = () => { if (transport.sessionId != null) sessions.delete(transport.sessionId) }
      await server.connect(transport)
      await transport.handleRequest(req, res)
      // anything but an initialize request was refused: nothing to keep
      if (transport.sessionId == null || !sessions.has(transport.sessionId)) await server.close()
    },
    close: async () => {
      await Promise.all([...sessions.keys()].map(closeSession))
    }
  }
}

function sendJsonRpcError (res: ServerResponse, status: number, code: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null })
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
