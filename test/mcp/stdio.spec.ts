/**
 * `ipfs-kit mcp` over stdio, driven by the MCP SDK's own Client: the real CLI
 * process, on a data directory no daemon holds (offline), from a working
 * directory that bounds the paths its tools may name.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HELLO_CID, childEnv, cleanup, entryArgs, tempDir } from '../cli/helpers.ts'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

/** The tools issue 18 names for the features that exist. */
const REQUIRED_TOOLS = ['ipfs_add', 'ipfs_cat', 'ipfs_ls', 'ipfs_pin_add', 'ipfs_pin_rm', 'ipfs_pin_ls', 'ipfs_status', 'model_providers', 'model_pull', 'model_publish', 'model_ls', 'dataset_plan', 'dataset_pull', 'cache_get', 'cache_put', 'cache_stats', 'replication_ls']

/** A tool call's JSON answer (its text content). */
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

describe('ipfs-kit mcp over stdio', () => {
  let work: string
  let client: Client
  let stderr = ''

  beforeAll(async () => {
    const dir = await tempDir('ipfs-kit-mcp-')
    work = path.join(dir, 'project')
    await fs.mkdir(work)
    const config = path.join(dir, 'config.yaml')
    await fs.writeFile(config, 'ipfs_kit:\n  mcp:\n    max_output_bytes: 16\n')
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...entryArgs(), 'mcp', '--offline', '--data-dir', path.join(dir, 'repo'), '--config', config],
      cwd: work,
      env: childEnv() as Record<string, string>,
      stderr: 'pipe'
    })
    transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    client = new Client({ name: 'ipfs-kit-test', version: '1.0.0' })
    await client.connect(transport)
  }, 60_000)

  afterAll(async () => {
    await client?.close()
    await cleanup()
  })

  it('lists the tools with object schemas, descriptions and hints', async () => {
    const { tools } = await client.listTools()
    const byName = new Map(tools.map(tool => [tool.name, tool]))
    for (const name of REQUIRED_TOOLS) expect(byName.has(name), `${name} listed`).toBe(true)
    for (const tool of tools) {
      expect(tool.name).toMatch(/^(ipfs|model|cache|dataset|replication)_[a-z_]+$/)
      expect(tool.inputSchema.type).toBe('object')
      expect(tool.description?.length).toBeGreaterThan(20)
    }
    expect(Object.keys(byName.get('ipfs_cat')?.inputSchema.properties ?? {}).sort()).toEqual(['cid', 'length', 'offset'])
    expect(byName.get('ipfs_cat')?.inputSchema.required).toEqual(['cid'])
    expect(Object.keys(byName.get('ipfs_add')?.inputSchema.properties ?? {}).sort()).toEqual(['backends', 'content', 'content_base64', 'filename', 'path', 'pin'])
    expect(byName.get('cache_put')?.inputSchema.required?.slice().sort()).toEqual(['key', 'value'])
    expect(byName.get('ipfs_cat')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true })
    expect(byName.get('ipfs_pin_rm')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    expect(byName.get('model_pull')?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true })
  })

  it('adds text and reads it back: the CID Kubo gives, the bytes as text', async () => {
    const added = json(await client.callTool({ name: 'ipfs_add', arguments: { content: 'hello world', pin: true } }) as CallToolResult)
    expect(added).toEqual({ cid: HELLO_CID, size: 11, filename: null })
    expect(json(await client.callTool({ name: 'ipfs_cat', arguments: { cid: HELLO_CID } }) as CallToolResult)).toEqual({ cid: HELLO_CID, offset: 0, size: 11, text: 'hello world' })
    const pins = json(await client.callTool({ name: 'ipfs_pin_ls', arguments: {} }) as CallToolResult)
    expect(pins.map((p: { cid: string }) => p.cid)).toContain(HELLO_CID)
  })

  it('returns bytes that are not text as base64, and caps the answer at mcp.max_output_bytes with a note', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 0, 7])
    const { cid } = json(await client.callTool({ name: 'ipfs_add', arguments: { content_base64: bytes.toString('base64') } }) as CallToolResult)
    expect(json(await client.callTool({ name: 'ipfs_cat', arguments: { cid } }) as CallToolResult)).toMatchObject({ size: 7, base64: bytes.toString('base64') })

    const long = 'abcdefghijklmnopqrstuvwxyz0123456789'
    const { cid: longCid } = json(await client.callTool({ name: 'ipfs_add', arguments: { content: long } }) as CallToolResult)
    const first = json(await client.callTool({ name: 'ipfs_cat', arguments: { cid: longCid } }) as CallToolResult)
    expect(first).toMatchObject({ size: 16, text: long.slice(0, 16), truncated: true })
    expect(first.note).toContain('offset 16')
    const rest = json(await client.callTool({ name: 'ipfs_cat', arguments: { cid: longCid, offset: 32 } }) as CallToolResult)
    expect(rest).toEqual({ cid: longCid, offset: 32, size: 4, text: long.slice(32) })
  })

  it('adds a file under the working directory by a relative path, and refuses paths outside it', async () => {
    await fs.writeFile(path.join(work, 'notes.txt'), 'hello world')
    expect(json(await client.callTool({ name: 'ipfs_add', arguments: { path: 'notes.txt' } }) as CallToolResult)).toMatchObject({ cid: HELLO_CID, size: 11 })

    const outside = path.join(path.dirname(work), 'secret.txt')
    await fs.writeFile(outside, 'not for agents')
    const refused = errorText(await client.callTool({ name: 'ipfs_add', arguments: { path: outside } }) as CallToolResult)
    expect(refused).toMatch(/^PathNotAllowedError: path ".*secret\.txt" is outside the server's working directory/)
    expect(refused).toContain('\nhint: ')
    // a symlink inside the directory is judged by where it leads
    await fs.symlink(outside, path.join(work, 'link.txt'))
    expect(errorText(await client.callTool({ name: 'ipfs_add', arguments: { path: 'link.txt' } }) as CallToolResult)).toMatch(/^PathNotAllowedError: .*once resolved/)
    expect(errorText(await client.callTool({ name: 'ipfs_get', arguments: { cid: HELLO_CID, path: '../escaped.txt' } }) as CallToolResult)).toMatch(/^PathNotAllowedError: /)
    await expect(fs.stat(path.join(path.dirname(work), 'escaped.txt'))).rejects.toMatchObject({ code: 'ENOENT' })

    expect(json(await client.callTool({ name: 'ipfs_get', arguments: { cid: HELLO_CID, path: 'copy.txt' } }) as CallToolResult)).toMatchObject({ path: path.join(await fs.realpath(work), 'copy.txt'), size: 11 })
    expect(await fs.readFile(path.join(work, 'copy.txt'), 'utf8')).toBe('hello world')
  })

  it('answers bad input with a tool error naming the error and its hint, and keeps serving', async () => {
    const badCid = errorText(await client.callTool({ name: 'ipfs_pin_add', arguments: { cid: 'not-a-cid' } }) as CallToolResult)
    expect(badCid).toBe('InvalidCIDError: not a valid CID: "not-a-cid"\nhint: pass a CID such as bafkrei…')
    // ipfs_cat also takes a name from the file index: an unknown one is not found
    expect(errorText(await client.callTool({ name: 'ipfs_cat', arguments: { cid: 'not-a-cid' } }) as CallToolResult)).toMatch(/^NotFoundError: content not found: not-a-cid\nhint: /)
    expect(errorText(await client.callTool({ name: 'ipfs_add', arguments: { path: 'missing.txt' } }) as CallToolResult)).toMatch(/^InputNotFoundError: no such file: .*missing\.txt\nhint: check the path$/)
    expect(errorText(await client.callTool({ name: 'ipfs_add', arguments: {} }) as CallToolResult)).toMatch(/^InvalidInputError: nothing to add\nhint: give exactly one of content/)
    // the schema's own check, before the operation runs
    expect(errorText(await client.callTool({ name: 'ipfs_cat', arguments: { cid: HELLO_CID, offset: -1 } }) as CallToolResult)).toMatch(/offset/)
    expect(json(await client.callTool({ name: 'ipfs_status', arguments: {} }) as CallToolResult)).toMatchObject({ usingFallback: true })
  })

  it('puts and gets cache values, and says so on a miss', async () => {
    const put = json(await client.callTool({ name: 'cache_put', arguments: { key: 'prompt-1', value: 'an answer', ttl: 60_000 } }) as CallToolResult)
    expect(put).toMatchObject({ key: 'prompt-1', cid: expect.stringMatching(/^bafk/) })
    expect(json(await client.callTool({ name: 'cache_get', arguments: { key: 'prompt-1' } }) as CallToolResult)).toEqual({ key: 'prompt-1', hit: true, size: 9, text: 'an answer' })
    expect(json(await client.callTool({ name: 'cache_get', arguments: { key: 'nothing here' } }) as CallToolResult)).toEqual({ key: 'nothing here', hit: false })
    expect(json(await client.callTool({ name: 'cache_stats', arguments: {} }) as CallToolResult)).toMatchObject({ entries: 1 })
    expect(stderr).toBe('')
  })
})
