/**
 * The control server and client in one process, with faults injected through
 * the server's `operations` seam.
 */
import fs from 'node:fs/promises'
import { request } from 'node:http'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { controlClient, createControlServer, localOperations } from '../../src/control/index.ts'
import { CorruptBlockError, createKit } from '../../src/index.ts'
import { HELLO_CID, MiB, cleanup, tempDir } from './helpers.ts'
import type { ControlServer, KitOperations } from '../../src/control/index.ts'
import type { Kit } from '../../src/index.ts'

describe('control channel', () => {
  let kit: Kit
  let server: ControlServer | undefined

  beforeEach(async () => {
    kit = await createKit({ dataDir: path.join(await tempDir(), 'repo'), offline: true })
  })
  afterEach(async () => {
    await server?.stop()
    server = undefined
    await kit.stop()
    await cleanup()
  })

  async function serve (override: Partial<KitOperations> = {}): Promise<ControlServer> {
    server = createControlServer(kit, { operations: { ...localOperations(kit), ...override } })
    await server.start()
    return server
  }

  it('round-trips add and cat, streaming both ways', async () => {
    await serve()
    const client = controlClient(kit.dataDir)
    const chunks = Array.from({ length: 5 }, (_, i) => new Uint8Array(MiB).fill(i))
    const progress: number[] = []
    const added = await client.add((async function * () { yield * chunks })(), {
      filename: 'five.bin',
      pin: true,
      onProgress: event => { if (event.type === 'storage:store:chunk') progress.push(event.detail.bytes) }
    })
    expect(added.size).toBe(5 * MiB)
    expect(progress.at(-1)).toBe(5 * MiB)
    expect(await kit.pins.isPinned((await import('multiformats/cid')).CID.parse(added.cid))).toBe(true)
    const back: Uint8Array[] = []
    for await (const chunk of client.cat(added.cid)) back.push(chunk)
    expect(Buffer.concat(back).equals(Buffer.concat(chunks))).toBe(true)
  })

  it('only lets its owner connect to the socket', async () => {
    const { path: socket } = await serve()
    expect((await fs.stat(socket)).mode & 0o777).toBe(0o600)
  })

  it('reports a failure in the middle of cat as the daemon\'s error, not as a short file', async () => {
    await serve({
      cat: async function * () {
        yield new Uint8Array(MiB)
        throw new CorruptBlockError(HELLO_CID)
      }
    })
    let received = 0
    const err = await (async () => {
      for await (const chunk of controlClient(kit.dataDir).cat(HELLO_CID)) received += chunk.byteLength
    })().catch((e: unknown) => e)
    expect(received).toBe(MiB)
    expect(err).toMatchObject({ name: 'CorruptBlockError', code: 'ERR_CORRUPT_BLOCK', message: `block ${HELLO_CID} does not match its hash`, hint: 'run `ipfs-kit verify`' })
  })

  it('streams catTo as frames, and reports a failure after the bytes before it as the daemon\'s error', async () => {
    await serve({
      cat: async function * () {
        yield new Uint8Array(3 * MiB).fill(1)
        yield new Uint8Array(0)
        yield new Uint8Array(5).fill(2)
        throw new CorruptBlockError(HELLO_CID)
      }
    })
    const received: Buffer[] = []
    const sink = new Writable({ write: (chunk: Buffer, _encoding, callback) => { received.push(chunk); callback() } })
    const err = await controlClient(kit.dataDir).catTo(HELLO_CID, sink).catch((e: unknown) => e)
    expect(Buffer.concat(received).equals(Buffer.concat([new Uint8Array(3 * MiB).fill(1), new Uint8Array(5).fill(2)]))).toBe(true)
    expect(err).toMatchObject({ name: 'CorruptBlockError', code: 'ERR_CORRUPT_BLOCK', hint: 'run `ipfs-kit verify`' })
  })

  it('saves a file where the caller asks, with the mode it asks, whole or not at all', async () => {
    await serve()
    const client = controlClient(kit.dataDir)
    const { cid } = await client.add((async function * () { yield new Uint8Array(2 * MiB + 1).fill(7) })())
    const target = path.join(kit.dataDir, '..', 'saved.bin')
    expect(await client.save(cid, target, { mode: 0o640 })).toEqual({ path: target, size: 2 * MiB + 1 })
    expect((await fs.stat(target)).mode & 0o777).toBe(0o640)
    await expect(client.save(cid, 'relative.bin')).rejects.toMatchObject({ name: 'BadRequestError' })
    await expect(client.save('bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve', path.join(kit.dataDir, '..', 'absent.bin'))).rejects.toMatchObject({ name: 'NotFoundError' })
    expect((await fs.readdir(path.dirname(target))).filter(name => name.endsWith('.part') || name === 'absent.bin')).toEqual([])
  })

  it('aborts the daemon\'s work when the client goes away mid-upload', async () => {
    let serverSignal: AbortSignal | undefined
    await serve({
      add: async (input, options = {}) => {
        serverSignal = options.signal
        for await (const _ of input as AsyncIterable<Uint8Array>) { /* drain until the client goes */ }
        throw new Error('the upload ended instead of being cut')
      }
    })
    const controller = new AbortController()
    const upload = controlClient(kit.dataDir).add((async function * () {
      yield new Uint8Array(1024)
      await new Promise(resolve => setTimeout(resolve, 60_000).unref())
    })(), { signal: controller.signal })
    await expect.poll(() => serverSignal).toBeDefined()
    controller.abort(new Error('user pressed ctrl-c'))
    await expect(upload).rejects.toThrow('user pressed ctrl-c')
    await expect.poll(() => serverSignal?.aborted).toBe(true)
  })

  it('aborts in-flight requests and removes the socket when stopped', async () => {
    const { path: socket } = await serve({
      cat: async function * (_cid, options = {}) {
        yield new Uint8Array(10)
        await new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }))
      }
    })
    const client = controlClient(kit.dataDir)
    const reading = (async () => { for await (const _ of client.cat(HELLO_CID)) { /* first chunk, then wait */ } })().then(() => 'ended', (err: unknown) => err)
    await new Promise(resolve => setTimeout(resolve, 200))
    await server?.stop()
    expect(await reading).toMatchObject({ name: 'AbortError', message: 'the daemon is stopping' })
    await expect(fs.stat(socket)).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(client.ping()).rejects.toMatchObject({ name: 'DaemonUnreachableError' })
  })

  it('answers a request it does not understand with a named error', async () => {
    const { path: socket } = await serve()
    const answer = await new Promise<{ status: number | undefined, body: string }>((resolve, reject) => {
      const req = request({ socketPath: socket, method: 'POST', path: '/v1/format-disk' }, res => {
        let body = ''
        res.on('data', (chunk: Buffer) => { body += chunk.toString() })
        res.on('end', () => { resolve({ status: res.statusCode, body }) })
      })
      req.on('error', reject)
      req.end()
    })
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.body)).toMatchObject({ error: { name: 'BadRequestError', code: 'ERR_BAD_REQUEST', message: 'unknown operation "format-disk"' } })
  })

  it('refuses a socket path longer than Unix sockets allow', async () => {
    const long = createControlServer(kit, { path: path.join(kit.dataDir, 'x'.repeat(120), 'control.sock') })
    await expect(long.start()).rejects.toMatchObject({ name: 'ControlSocketError' })
  })
})
