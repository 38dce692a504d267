/**
 * `ipfs-kit daemon` serves the Kubo RPC API next to its control socket:
 * what a Kubo client adds over HTTP, CLI commands on the directory see.
 */
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
    await expect(client.version()).rejects.toThrow()
  }, 60_000)

  it('refuses to bind a non-loopback address, saying why', async () => {
    const repo = path.join(await tempDir(), 'repo')
    const result = await run(['daemon', '--offline', '--api', '0.0.0.0:0', '--data-dir', repo])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('no authentication')
  }, 60_000)
})
