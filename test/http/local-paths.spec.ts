/**
 * RPC calls that name a path on the daemon's machine (models/publish's
 * directory, models/pull's dest): refused without a token, refused outside
 * api.allowed_paths, judged after symlinks are resolved — against a real
 * RPC server.
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

describe('RPC calls naming a local path', () => {
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

  async function modelDir (): Promise<string> {
    const dir = await sandbox.dir()
    await fs.writeFile(path.join(dir, 'config.json'), '{"a":1}')
    return dir
  }

  async function call (server: RpcServer, command: string, params: Record<string, string>, headers: Record<string, string> = AUTH): Promise<{ status: number, body: any }> {
    const res = await fetch(`${server.url}/api/v0/${command}?${new URLSearchParams(params).toString()}`, { method: 'POST', headers })
    return { status: res.status, body: await res.json() }
  }

  it('refuses publish and pull with a path (403, Kubo\'s shape) when the API has no token, saying how to set one', async () => {
    const kit = await sandbox.kit()
    const dir = await modelDir()
    const server = await serve(kit, { allowedPaths: [dir] })
    const publish = await call(server, 'ipfs-kit/models/publish', { arg: dir, name: 'acme/tiny' }, {})
    expect(publish.status).toBe(403)
    expect(publish.body).toEqual({ Message: expect.stringContaining('ipfs_kit.api.auth_token'), Code: 0, Type: 'error' })
    const pull = await call(server, 'ipfs-kit/models/pull', { arg: 'acme/tiny', dest: dir }, {})
    expect(pull.status).toBe(403)
    expect(pull.body.Message).toContain('auth_token')
    expect(await kit.models.list()).toEqual([])
  })

  it('with a token, refuses every path while api.allowed_paths is empty, naming the setting', async () => {
    const kit = await sandbox.kit()
    const dir = await modelDir()
    const server = await serve(kit, { authToken: TOKEN })
    const publish = await call(server, 'ipfs-kit/models/publish', { arg: dir, name: 'acme/tiny' })
    expect(publish.status).toBe(403)
    expect(publish.body.Message).toContain('ipfs_kit.api.allowed_paths')
    expect(await kit.models.list()).toEqual([])
  })

  it('with a token, publishes under an allowed directory and refuses one outside it or reached through a symlink', async () => {
    const kit = await sandbox.kit()
    const allowed = await sandbox.dir()
    const inside = path.join(allowed, 'model')
    await fs.mkdir(inside)
    await fs.writeFile(path.join(inside, 'config.json'), '{"a":1}')
    const outside = await modelDir()
    await fs.symlink(outside, path.join(allowed, 'escape'))
    const server = await serve(kit, { authToken: TOKEN, allowedPaths: [allowed] })

    const ok = await call(server, 'ipfs-kit/models/publish', { arg: inside, name: 'acme/tiny' })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ Name: 'acme/tiny', Files: 1 })

    const out = await call(server, 'ipfs-kit/models/publish', { arg: outside, name: 'acme/other' })
    expect(out.status).toBe(403)
    expect(out.body.Message).toContain('outside ipfs_kit.api.allowed_paths')
    const dotdot = await call(server, 'ipfs-kit/models/publish', { arg: `${allowed}/../${path.basename(outside)}`, name: 'acme/other' })
    expect(dotdot.status).toBe(403)
    const link = await call(server, 'ipfs-kit/models/publish', { arg: path.join(allowed, 'escape'), name: 'acme/other' })
    expect(link.status).toBe(403)
    expect(link.body.Message).toContain(await fs.realpath(outside))
    expect((await kit.models.list()).map(m => m.name)).toEqual(['acme/tiny'])
  })

  it('answers a pull over a file the model did not write with 409 naming it, and replaces it with force=true', async () => {
    const kit = await sandbox.kit() // it publishes the model, so pulls it offline
    await kit.models.publish(await modelDir(), { name: 'acme/tiny' })
    const dest = await sandbox.dir()
    await fs.writeFile(path.join(dest, 'config.json'), 'my notes')
    const server = await serve(kit, { authToken: TOKEN, allowedPaths: [dest] })
    const refused = await call(server, 'ipfs-kit/models/pull', { arg: 'acme/tiny', dest })
    expect(refused.status).toBe(409)
    expect(refused.body).toEqual({ Message: expect.stringContaining(path.join(dest, 'config.json')), Code: 0, Type: 'error' })
    expect(await fs.readFile(path.join(dest, 'config.json'), 'utf8')).toBe('my notes')
    const forced = await call(server, 'ipfs-kit/models/pull', { arg: 'acme/tiny', dest, force: 'true' })
    expect(forced.status).toBe(200)
    expect(await fs.readFile(path.join(dest, 'config.json'), 'utf8')).toBe('{"a":1}')
  })

  it('judges a pull dest that does not exist yet by its nearest existing ancestor, symlinks resolved', async () => {
    const kit = await sandbox.kit() // offline: a dest that passes the check fails later, with 500 "offline"
    const allowed = await sandbox.dir()
    const outside = await sandbox.dir()
    await fs.symlink(outside, path.join(allowed, 'escape'))
    const server = await serve(kit, { authToken: TOKEN, allowedPaths: [allowed] })

    const fresh = await call(server, 'ipfs-kit/models/pull', { arg: 'acme/tiny', dest: path.join(allowed, 'new', 'deeper') })
    expect(fresh.status).toBe(500)
    expect(fresh.body.Message).toContain('offline')
    const escaped = await call(server, 'ipfs-kit/models/pull', { arg: 'acme/tiny', dest: path.join(allowed, 'escape', 'new', 'deeper') })
    expect(escaped.status).toBe(403)
    expect(escaped.body.Message).toContain('allowed_paths')
    expect(await fs.readdir(outside)).toEqual([])
  })
})
