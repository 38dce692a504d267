/**
 * The MCP server: one tool per operation of the registry (control/registry),
 * its name, description, input schema and hints taken from there, run on
 * whatever KitOperations the face has (a Kit here, or the daemon holding the
 * data directory). Every failure, from a bad CID to a path outside the
 * allowed roots, is a tool error naming the error and its hint; the server
 * itself never fails a call.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { MCP_MAX_OUTPUT_BYTES } from '../constants.ts'
import { OPERATIONS, inputSchema, runOperation } from '../control/index.ts'
import { hfCacheDir } from '../models/hf-cache.ts'
import { packageVersion } from '../package-root.ts'
import { progressReporter } from './progress.ts'
import { toolError, toolResult } from './tool-result.ts'
import type { PathCheck } from './paths.ts'
import type { KitOperations, OperationSpec } from '../control/index.ts'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js'

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>

export interface McpServerInit {
  /** What the tools run. */
  operations: KitOperations
  /** Which paths tool arguments may name (stdioPathPolicy, httpPathPolicy). */
  checkPath: PathCheck
  /** Most bytes in one answer (config `mcp.max_output_bytes`). @default MCP_MAX_OUTPUT_BYTES */
  maxOutputBytes?: number
  /** Least time between progress notifications. @default MCP_PROGRESS_INTERVAL_MS */
  progressIntervalMs?: number
  /** Tool calls under way are added here until they answer (serveStdio waits for them at end of input). */
  inflight?: Set<Promise<unknown>>
}

const INSTRUCTIONS = 'ipfs-kit: an embedded IPFS node for ML fleets. Store content and read it by CID (ipfs_*), share models by name between machines (model_*), and cache inference results by key (cache_*). Paths name files on the server\'s machine and must lie under its allowed directories.'

/**
 * @example
 * const server = await createMcpServer({ operations: localOperations(kit), checkPath: stdioPathPolicy({ allowedPaths: [] }) })
 * await server.connect(new StdioServerTransport())
 */
export async function createMcpServer (init: McpServerInit): Promise<McpServer> {
  const server = new McpServer({ name: 'ipfs-kit', version: packageVersion() }, { instructions: INSTRUCTIONS })
  const maxOutputBytes = init.maxOutputBytes ?? MCP_MAX_OUTPUT_BYTES
  for (const spec of OPERATIONS) {
    server.registerTool(spec.tool, {
      description: spec.description,
      inputSchema: await inputSchema(spec),
      annotations: {
        readOnlyHint: spec.annotations.readOnly,
        destructiveHint: spec.annotations.destructive,
        idempotentHint: spec.annotations.idempotent,
        openWorldHint: spec.annotations.openWorld ?? false
      }
    }, async (input, extra) => {
      const call = callTool(spec, input as Record<string, unknown>, extra)
      init.inflight?.add(call)
      try {
        return await call
      } finally {
        init.inflight?.delete(call)
      }
    })
  }
  return server

  async function callTool (spec: OperationSpec, input: Record<string, unknown>, extra: Extra): Promise<CallToolResult> {
    const token = extra._meta?.progressToken
    const progress = spec.progress === true && token != null
      ? progressReporter({ token, send: async notification => { await extra.sendNotification(notification) }, intervalMs: init.progressIntervalMs })
      : undefined
    try {
      const checked = await checkPaths(spec, input, init.checkPath)
      const result = await runOperation(init.operations, spec, checked, { signal: extra.signal, onProgress: progress?.onProgress, maxOutputBytes })
      await progress?.flush()
      return toolResult(result)
    } catch (err) {
      await progress?.flush()
      return toolError(err)
    }
  }
}

/** The input with each path argument replaced by the real path it may use; `hfCache: true` stands for the default cache directory. */
async function checkPaths (spec: OperationSpec, input: Record<string, unknown>, check: PathCheck): Promise<Record<string, unknown>> {
  const out = { ...input }
  for (const field of spec.paths ?? []) {
    const value = field === 'hfCache' && out[field] === true ? hfCacheDir() : out[field]
    if (typeof value === 'string') out[field] = await check(value, field)
  }
  return out
}
