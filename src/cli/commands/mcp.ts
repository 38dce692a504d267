/**
 * `ipfs-kit mcp`: the MCP server over stdio, for an AI agent's client to
 * start (Claude Desktop, an IDE, any `mcpServers` entry). Through the daemon
 * when one holds the data directory, like every command.
 */
import type { Command } from '../command.ts'

export const mcp: Command = {
  name: 'mcp',
  usage: '',
  summary: 'serve the node\'s operations as MCP tools over stdio (for AI agents)',
  description: 'Speaks the Model Context Protocol on stdin/stdout until stdin closes. Tools name paths on this machine only under ipfs_kit.mcp.allowed_paths, by default the working directory (none when that is / or the home directory). The daemon serves the same tools over streamable HTTP at /mcp on its RPC address.',
  args: [0, 0],
  network: true,
  run: async ({ globals, session }) => {
    // loaded here: the MCP SDK is for this command alone
    const { serveStdio, stdioPathPolicy } = await import('../../mcp/index.ts')
    const { loadConfig } = await import('../../config/index.ts')
    const config = loadConfig({ file: globals.config, dataDir: globals.dataDir }).ipfs_kit
    const stop = new AbortController()
    const onSignal = (): void => { stop.abort() }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      await serveStdio({
        operations: await session(),
        checkPath: stdioPathPolicy({ allowedPaths: config.mcp.allowed_paths }),
        maxOutputBytes: config.mcp.max_output_bytes,
        signal: stop.signal
      })
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
