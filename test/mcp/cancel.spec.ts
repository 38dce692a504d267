/**
 * A tool call the client cancels aborts the operation: the MCP SDK's Client
 * and the server in one process over its in-memory transport, on a real
 * offline Kit whose `modelPull` is replaced by one that waits for its signal.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import { localOperations } from '../../src/control/index.ts'
import { createMcpServer, stdioPathPolicy } from '../../src/mcp/index.ts'
import { tempDir, cleanup } from '../cli/helpers.ts'
import type { Kit } from '../../src/index.ts'

describe('MCP cancellation', () => {
  let kit: Kit
  beforeAll(async () => { kit = await createKit({ dataDir: await tempDir('ipfs-kit-mcp-cancel-'), offline: true }) })
  afterAll(async () => {
    await kit?.stop()
    await cleanup()
  })

  it('aborts the operation of a cancelled call', async () => {
    let started: () => void = () => {}
    const running = new Promise<void>(resolve => { started = resolve })
    let reason: unknown
    const operations = {
      ...localOperations(kit),
      modelPull: async (_name: string, options: { signal?: AbortSignal } = {}) => await new Promise<never>((_resolve, reject) => {
        started()
        options.signal?.addEventListener('abort', () => { reason = options.signal?.reason; reject(options.signal?.reason) })
      })
    }
    const server = await createMcpServer({ operations, checkPath: stdioPathPolicy({ allowedPaths: [], cwd: process.cwd() }) })
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(clientSide)
    const controller = new AbortController()
    const call = client.callTool({ name: 'model_pull', arguments: { name: 'acme/never' } }, undefined, { signal: controller.signal })
    await running
    controller.abort(new Error('the user changed their mind'))
    await expect(call).rejects.toThrow('the user changed their mind')
    await expect.poll(() => reason).toBeDefined()
    // the server still serves
    const status = await client.callTool({ name: 'ipfs_status', arguments: {} })
    expect(status.isError).toBeUndefined()
    await client.close()
  })
})
