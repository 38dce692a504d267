/**
 * The MCP server over stdio: JSON-RPC lines on stdin and stdout (nothing else
 * may be written to stdout), until the client closes stdin.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { MCP_MAX_REQUEST_BYTES } from '../constants.ts'
import { createMcpServer } from './server.ts'
import type { McpServerInit } from './server.ts'
import type { Readable, Writable } from 'node:stream'

export interface StdioServeInit extends McpServerInit {
  /** @default process.stdin */
  stdin?: Readable
  /** @default process.stdout */
  stdout?: Writable
  /** Stops the server (SIGTERM, SIGINT). */
  signal?: AbortSignal
}

/**
 * Serve until stdin ends or `signal` aborts.
 *
 * @example
 * await serveStdio({ operations: localOperations(kit), checkPath: stdioPathPolicy({ allowedPaths: [] }) })
 */
export async function serveStdio (init: StdioServeInit): Promise<void> {
  const stdin = init.stdin ?? process.stdin
  const inflight = new Set<Promise<unknown>>()
  const server = await createMcpServer({ ...init, inflight })
  const closed = new Promise<void>(resolve => { server.server.onclose = resolve })
  const close = (): void => { server.close().catch(() => {}) }
  // the client may close its side right after its last request: answer what was asked first
  const drain = (): void => {
    void Promise.allSettled([...inflight]).then(async () => { await new Promise(resolve => setImmediate(resolve)) }).then(close)
  }
  stdin.once('end', drain)
  stdin.once('close', drain)
  init.signal?.addEventListener('abort', close, { once: true })
  try {
    await server.connect(new StdioServerTransport(stdin, init.stdout ?? process.stdout, { maxBufferSize: MCP_MAX_REQUEST_BYTES }))
    await closed
  } finally {
    stdin.off('end', drain)
    stdin.off('close', drain)
    init.signal?.removeEventListener('abort', close)
  }
}
