/**
 * `ipfs-kit/datasets/*` over RPC: publish and pull name paths on the
 * daemon's machine, so they follow the token and allowed_paths rules of
 * models; plan needs no path (what a token-less client asks before `cat`);
 * a bad share is a 400 with one line.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { RpcServer, RpcServerInit } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'

const TOKEN = 'a-long-enough-api-token-0123456789'
const AUTH = { Authorization: `Bearer ${TOKEN}` }

describe('RPC datasets', () => {
  const sandbox = new Sandbox()
  const servers: RpcServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(async s => { await s.stop() }))
    await sandbox.cleanup()
  })

  async function serve (kit: Kit, init: RpcServerInit = {}): Promise<RpcServer> {
    const server = createRpcServer(kit, { host: '127.0.0.1', port: 0, ...init })
    await server.start()
    servers.push(server)
    return server
  }

  async function call (server: RpcServer, command: string, params: Record<string, string>, headers: Record<string, string> = AUTH): Promise<{ status: number, body: any }> {
    const res = await fetch(`${server.url}/api/v0/${command}?${new URLSearchParams(params).toString()}`, { method: 'POST', headers })
    return { status: res.status, body: await res.json() }
  }

  it('publishes and pulls under allowed paths with a token, refuses them without; plans with no token; a bad share is a 400', async () => {
    const kit = await sandbox.kit()
    const allowed = await sandbox.dir()
    const data = path.join(allowed, 'data')
    await fs.mkdir(data)
    await fs.writeFile(path.join(data, 'a.jsonl'), Array.from({ length: 500 }, (_, i) => `{"i":${i}}`).join('\n') + '\n')
    await fs.writeFile(path.join(data, 'b.bin'), Buffer.alloc(3000, 7))
    const open = await serve(kit, { allowedPaths: [allowed] })
    const refused = await call(open, 'ipfs-kit/datasets/publish', { arg: data, name: 'acme/rpc-set' }, {})
    expect(refused.status).toBe(403)
    expect(refused.body.Message).toContain('auth_token')
    expect(await kit.datasets.list()).toEqual([])

    const server = await serve(kit, { authToken: TOKEN, allowedPaths: [allowed] })
    const published = await call(server, 'ipfs-kit/datasets/publish', { arg: data, name: 'acme/rpc-set', 'shard-size': '4096' })
    expect(published.status).toBe(200)
    expect(published.body).toMatchObject({ Name: 'acme/rpc-set', StoredFiles: 2 })
    expect(published.body.Shards).toBeGreaterThan(2)

    // plan over the token-less, loopback server: no path involved
    const plan = await call(open, 'ipfs-kit/datasets/plan', { arg: 'acme/rpc-set', rank: '0', world: '1' }, {})
    expect(plan.status).toBe(200)
    expect(plan.body).toMatchObject({ Name: 'acme/rpc-set', Root: published.body.Root, Rank: 0, World: 1 })
    expect(plan.body.Shards).toHaveLength(published.body.Shards)
    expect(plan.body.Shards.filter((s: { Records: number | null }) => s.Records != null).reduce((n: number, s: { Records: number }) => n + s.Records, 0)).toBe(500)

    const outside = await sandbox.dir()
    expect((await call(server, 'ipfs-kit/datasets/pull', { arg: 'acme/rpc-set', rank: '0', world: '1', dest: outside })).status).toBe(403)
    const dest = path.join(allowed, 'out')
    await fs.mkdir(dest)
    const pulled = await call(server, 'ipfs-kit/datasets/pull', { arg: 'acme/rpc-set', rank: '0', world: '1', dest })
    expect(pulled.status).toBe(200)
    expect((await fs.readFile(path.join(dest, 'b.bin'))).equals(Buffer.alloc(3000, 7))).toBe(true)

    const bad = await call(open, 'ipfs-kit/datasets/plan', { arg: 'acme/rpc-set', rank: '3', world: '2' }, {})
    expect(bad.status).toBe(400)
    expect(bad.body.Message).toContain('rank 3 is not below world 2')
  })
})
