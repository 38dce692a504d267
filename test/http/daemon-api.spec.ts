/**
 * `ipfs-kit daemon` serves the Kubo RPC API next to its control socket:
 * what a Kubo client adds over HTTP, CLI commands on the directory see.
 */
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { create } from 'kubo-rpc-client'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { HELLO_CID, cleanup, run, startDaemon, tempDir } from '../cli/helpers.ts'

describe('ipfs-kit daemon --api', () => {
  afterEach(cleanup)
  afterAll(cleanup)

  it('serves the RPC API on the address given, and prints it', async () => {
    const repo = path.join(await tempDir(), 'repo')
    const daemon = await startDaemon(repo, ['--offline', '--api', '127.0.0.1:0'])
    const api = (daemon.info as unknown as { api: string }).api
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const client = create({ url: api })
    expect((await client.add('hello world')).cid.toString()).toBe(HELLO_CID)
    expect((await client.id()).id.toString()).toBe(daemon.info.peerId)
    // the same node behind the control socket
    expect(await run(['cat', HELLO_CID, '--data-dir', repo])).toMatchObject({ code: 0, stdout: 'hello world' })
    expect(await daemon.stop()).toBe(0)
    await expect(client.version()).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } }) // the daemon is gone, not merely erroring
  }, 60_000)

  it('refuses to bind a non-loopback address, saying why', async () => {
    const repo = path.join(await tempDir(), 'repo')
    const result = await run(['daemon', '--offline', '--api', '0.0.0.0:0', '--data-dir', repo])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('no authentication')
  }, 60_000)
})

/** Hold a loopback port, as another process would. */
async function occupy (): Promise<{ port: number, close: () => Promise<void> }> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return { port, close: async () => { await new Promise<void>(resolve => server.close(() => resolve())) } }
}

describe('ipfs-kit daemon --gateway', () => {
  afterEach(cleanup)
  afterAll(cleanup)

  it('serves the trustless gateway next to the RPC API, and prints its address', async () => {
    const repo = path.join(await tempDir(), 'repo')
    const daemon = await startDaemon(repo, ['--offline', '--api', '127.0.0.1:0', '--gateway', '127.0.0.1:0'])
    const { api, gateway } = daemon.info as unknown as { api: string, gateway: string }
    expect(gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const { cid } = await create({ url: api }).add('hello world')
    const res = await fetch(`${gateway}/ipfs/${cid}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('hello world')
    expect((await fetch(`${gateway}/ipfs/${cid}?format=raw`)).headers.get('content-type')).toBe('application/vnd.ipld.raw')
    expect(await daemon.stop()).toBe(0)
  }, 60_000)

  it('runs without a gateway, warning, when the configured address is taken; fails when --gateway names a taken one', async () => {
    const taken = await occupy()
    try {
      const dir = await tempDir()
      const config = path.join(dir, 'ipfs-kit.yaml')
      await fs.writeFile(config, `ipfs_kit:\n  backends:\n    ipfs:\n      gateway: "http://127.0.0.1:${taken.port}"\n`)
      const daemon = await startDaemon(path.join(dir, 'repo'), ['--offline', '--api', '127.0.0.1:0', '--config', config])
      expect((daemon.info as unknown as { gateway: string | null }).gateway).toBeNull()
      expect(daemon.stderr()).toContain(`gateway not started: 127.0.0.1:${taken.port} is in use`)
      expect(await daemon.stop()).toBe(0)

      const explicit = await run(['daemon', '--offline', '--api', '127.0.0.1:0', '--gateway', `127.0.0.1:${taken.port}`, '--data-dir', path.join(dir, 'repo2')])
      expect(explicit.code).not.toBe(0)
      expect(explicit.stderr).toMatch(/EADDRINUSE|in use/)
    } finally {
      await taken.close()
    }
  }, 60_000)

  it('refuses to bind the gateway to a non-loopback address', async () => {
    const result = await run(['daemon', '--offline', '--api', '127.0.0.1:0', '--gateway', '0.0.0.0:0', '--data-dir', path.join(await tempDir(), 'repo')])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('no authentication')
  }, 60_000)
})
