/**
 * The MCP server of a real `ipfs-kit daemon` process: over streamable HTTP at
 * `/mcp` on its RPC address (token and `api.allowed_paths` as the RPC API),
 * and over stdio through the daemon (`ipfs-kit mcp` on the directory it
 * holds). Both pull a small model from a second process, a peer started by
 * the cluster harness, with progress notifications.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPeer } from '../../peers/harness.ts'
import { HELLO_CID, childEnv, cleanup, entryArgs, startDaemon, tempDir } from '../cli/helpers.ts'
import type { Peer } from '../../peers/harness.ts'
import type { Daemon } from '../cli/helpers.ts'
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js'

const TOKEN = 'mcp-test-token-0123456789'

function json (result: CallToolResult): any {
  const first = result.content[0]
  if (first?.type !== 'text') throw new Error(`no text in ${JSON.stringify(result)}`)
  if (result.isError === true) throw new Error(`tool error: ${first.text}`)
  return JSON.parse(first.text)
}

function errorText (result: CallToolResult): string {
  expect(result.isError).toBe(true)
  const first = result.content[0]
  return first?.type === 'text' ? first.text : ''
}

/** A model directory of `sizes` random files; their total size. */
async function writeModel (dir: string, sizes: number[]): Promise<number> {
  await fs.mkdir(dir, { recursive: true })
  await Promise.all(sizes.map(async (size, i) => { await fs.writeFile(path.join(dir, `part-${i}.bin`), randomBytes(size)) }))
  return sizes.reduce((a, b) => a + b, 0)
}

/** Progress notifications arrive in order, only forward, and end at the total. */
function expectProgressToTotal (events: Progress[], total: number): void {
  expect(events.length).toBeGreaterThan(0)
  for (let i = 1; i < events.length; i++) expect((events[i] as Progress).progress).toBeGreaterThan((events[i - 1] as Progress).progress)
  expect(events.at(-1)).toMatchObject({ progress: total, total })
}

describe('MCP through a daemon', () => {
  let dir: string
  let allowed: string
  let publisher: Peer
  let daemon: Daemon
  let url: URL
  let http: Client
  let bytesA: number
  let bytesB: number

  beforeAll(async () => {
    dir = await tempDir('ipfs-kit-mcp-http-')
    allowed = path.join(dir, 'allowed')
    await fs.mkdir(allowed)
    publisher = await startPeer()
    bytesA = await writeModel(path.join(dir, 'model-a'), [1024 * 1024 + 7, 300_000])
    bytesB = await writeModel(path.join(dir, 'model-b'), [200_000])
    await publisher.call('modelPublish', { dir: path.join(dir, 'model-a'), name: 'acme/tiny-a' })
    await publisher.call('modelPublish', { dir: path.join(dir, 'model-b'), name: 'acme/tiny-b' })
    const config = path.join(dir, 'config.yaml')
    await fs.writeFile(config, `ipfs_kit:\n  api:\n    auth_token: ${TOKEN}\n    allowed_paths: [${JSON.stringify(allowed)}]\n`)
    daemon = await startDaemon(path.join(dir, 'repo'), ['--config', config, '--api', '127.0.0.1:0', '--gateway', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', publisher.addresses[0] as string])
    url = new URL('/mcp', (daemon.info as unknown as { api: string }).api)
    http = new Client({ name: 'ipfs-kit-test', version: '1.0.0' })
    await http.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }))
  }, 90_000)

  afterAll(async () => {
    await http?.close()
    await daemon?.stop()
    await publisher?.stop()
    await cleanup()
  })

  it('refuses a client without the API token (401), and a web page\'s request from another origin (403)', async () => {
    const anonymous = new Client({ name: 'anonymous', version: '1.0.0' })
    await expect(anonymous.connect(new StreamableHTTPClientTransport(url))).rejects.toMatchObject({ code: 401 })
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'page', version: '1' } } }
    const fromPage = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example', 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(initialize) })
    expect(fromPage.status).toBe(403)
  })

  it('serves the tools over HTTP: add and cat, bad input as a tool error, paths under api.allowed_paths only', async () => {
    const { tools } = await http.listTools()
    expect(tools.map(t => t.name)).toEqual(expect.arrayContaining(['ipfs_add', 'ipfs_cat', 'model_pull', 'cache_put']))
    expect(tools.find(t => t.name === 'model_pull')?.inputSchema.required).toEqual(['name'])

    expect(json(await http.callTool({ name: 'ipfs_add', arguments: { content: 'hello world' } }) as CallToolResult)).toMatchObject({ cid: HELLO_CID })
    expect(json(await http.callTool({ name: 'ipfs_cat', arguments: { cid: HELLO_CID, offset: 6 } }) as CallToolResult)).toMatchObject({ text: 'world' })
    expect(errorText(await http.callTool({ name: 'ipfs_pin_rm', arguments: { cid: 'not-a-cid' } }) as CallToolResult)).toMatch(/^InvalidCIDError: .*\nhint: /)

    await fs.writeFile(path.join(allowed, 'inside.txt'), 'hello world')
    expect(json(await http.callTool({ name: 'ipfs_add', arguments: { path: path.join(allowed, 'inside.txt') } }) as CallToolResult)).toMatchObject({ cid: HELLO_CID })
    await fs.writeFile(path.join(dir, 'outside.txt'), 'private')
    const refused = errorText(await http.callTool({ name: 'ipfs_add', arguments: { path: path.join(dir, 'outside.txt') } }) as CallToolResult)
    expect(refused).toMatch(/^PathNotAllowedError: path ".*outside\.txt" is outside ipfs_kit\.api\.allowed_paths/)
    expect(errorText(await http.callTool({ name: 'model_pull', arguments: { name: 'acme/tiny-a', dest: path.join(dir, 'elsewhere') } }) as CallToolResult)).toMatch(/^PathNotAllowedError: dest /)
    await expect(fs.stat(path.join(dir, 'elsewhere'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('pulls a model from the other process over HTTP, with progress notifications', async () => {
    const progress: Progress[] = []
    const dest = path.join(allowed, 'tiny-a')
    const result = json(await http.callTool({ name: 'model_pull', arguments: { name: 'acme/tiny-a', dest } }, undefined, { onprogress: p => { progress.push(p) } }) as CallToolResult)
    expect(result).toMatchObject({ name: 'acme/tiny-a', files: 2, bytes: bytesA })
    // every file byte came from the other process (plus the DAG nodes above the leaves)
    expect(result.fetchedBytes).toBeGreaterThanOrEqual(bytesA)
    expectProgressToTotal(progress, bytesA)
    expect((await fs.stat(path.join(dest, 'part-0.bin'))).size).toBe(1024 * 1024 + 7)
    expect(json(await http.callTool({ name: 'model_ls', arguments: {} }) as CallToolResult)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'acme/tiny-a' })]))
  }, 60_000)

  it('serves stdio through the daemon holding the data directory, progress included', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...entryArgs(), 'mcp', '--data-dir', path.join(dir, 'repo')],
      cwd: allowed,
      env: childEnv() as Record<string, string>,
      stderr: 'pipe'
    })
    const stdio = new Client({ name: 'ipfs-kit-test', version: '1.0.0' })
    await stdio.connect(transport)
    try {
      // the daemon holds the directory's lock: only through it can this process store anything there
      const { cid } = json(await stdio.callTool({ name: 'cache_put', arguments: { key: 'k', value: 'from stdio' } }) as CallToolResult)
      expect(json(await http.callTool({ name: 'cache_get', arguments: { key: 'k' } }) as CallToolResult)).toMatchObject({ hit: true, text: 'from stdio' })
      expect(json(await http.callTool({ name: 'ipfs_cat', arguments: { cid } }) as CallToolResult)).toMatchObject({ text: 'from stdio' })

      const progress: Progress[] = []
      const result = json(await stdio.callTool({ name: 'model_pull', arguments: { name: 'acme/tiny-b', dest: 'tiny-b' } }, undefined, { onprogress: p => { progress.push(p) } }) as CallToolResult)
      expect(result).toMatchObject({ name: 'acme/tiny-b', files: 1, bytes: bytesB, dest: path.join(await fs.realpath(allowed), 'tiny-b') })
      expectProgressToTotal(progress, bytesB)
    } finally {
      await stdio.close()
    }
  }, 60_000)
})
