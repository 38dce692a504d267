/**
 * A pack upload's own PUT (src/blocks/s3-direct-put.ts) against a raw HTTP server: the body
 * arrives byte for byte, in order, with the signed headers and without `expect`, while the server
 * reads slowly (so each of the few buffers is read into again many times); an answer that is not
 * a plain 200 is NotDirectError (the caller asks through the SDK); no connection, or a server
 * that takes nothing, is S3UnavailableError naming the endpoint.
 */
import { createHash, randomBytes } from 'node:crypto'
import net from 'node:net'
import path from 'node:path'
import { writeFile } from 'node:fs/promises'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { directPut } from '../../src/blocks/s3-direct-put.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { DirectPutInit } from '../../src/blocks/s3-direct-put.ts'

interface Received { head: string, body: Buffer }

/**
 * A server that reads a request's head and `Content-Length` bytes of body, pausing `pauseMs`
 * after each read (0: never reads at all), then answers `answer`.
 */
async function serve (answer: string, pauseMs: number): Promise<{ port: number, received: Received[], close: () => void }> {
  const received: Received[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer(socket => {
    sockets.add(socket)
    socket.on('error', () => {})
    if (pauseMs === 0) { socket.pause(); return }
    let bytes = Buffer.alloc(0)
    socket.on('data', chunk => {
      bytes = Buffer.concat([bytes, chunk])
      const stop = bytes.indexOf('\r\n\r\n')
      if (stop >= 0) {
        const head = bytes.subarray(0, stop).toString('latin1')
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
        if (bytes.byteLength - stop - 4 >= length) {
          received.push({ head, body: bytes.subarray(stop + 4, stop + 4 + length) })
          socket.end(answer)
          return
        }
      }
      socket.pause()
      setTimeout(() => socket.resume(), pauseMs)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as net.AddressInfo).port, received, close: () => { for (const s of sockets) s.destroy(); server.close() } }
}

const sandbox = new Sandbox()
const closers: Array<() => void> = []
afterEach(() => { for (const close of closers.splice(0)) close() })
afterAll(async () => { await sandbox.cleanup() })

async function fileOf (bytes: Uint8Array): Promise<string> {
  const file = path.join(await sandbox.dir(), 'pack.car')
  await writeFile(file, bytes)
  return file
}

const init = (file: string, size: number, over: Partial<DirectPutInit> = {}): DirectPutInit =>
  ({ file, size, endpoint: 'http://test', connectTimeoutMs: 2000, silenceMs: 2000, buffers: 3, bufferBytes: 4096, ...over })

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('directPut', () => {
  it('sends the file byte for byte from a few reused buffers, with the signed headers and no expect', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17)
    const file = await fileOf(bytes)
    const server = await serve('HTTP/1.1 200 OK\r\nETag: "x"\r\nContent-Length: 0\r\n\r\n', 1)
    closers.push(server.close)
    await directPut({ hostname: '127.0.0.1', port: server.port, path: '/bucket/packs/a.car', query: { 'x-id': 'PutObject' }, headers: { authorization: 'AWS4 signed', 'content-length': String(bytes.byteLength), expect: '100-continue' } },
      init(file, bytes.byteLength))
    const [got] = server.received
    expect(got?.head).toMatch(/^PUT \/bucket\/packs\/a\.car\?x-id=PutObject HTTP\/1\.1\r\n/)
    expect(got?.head).toContain('authorization: AWS4 signed\r\n')
    expect(got?.head).not.toMatch(/expect:/i)
    expect(sha(got?.body ?? new Uint8Array(0))).toBe(sha(bytes))
  }, 20_000)

  it('rejects any answer but a plain 200 with NotDirectError (the SDK asks again)', async () => {
    const bytes = randomBytes(10_000)
    const file = await fileOf(bytes)
    for (const answer of ['HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno!', 'HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n']) {
      const server = await serve(answer, 1)
      closers.push(server.close)
      await expect(directPut({ hostname: '127.0.0.1', port: server.port, path: '/b/k', headers: { 'content-length': String(bytes.byteLength) } }, init(file, bytes.byteLength)))
        .rejects.toMatchObject({ name: 'NotDirectError', message: expect.stringContaining(answer.slice(9, 12)) })
    }
  })

  it('fails with S3UnavailableError naming the endpoint when refused, or when the server takes nothing', async () => {
    const bytes = randomBytes(64 * 1024 * 1024)
    const file = await fileOf(bytes)
    const closed = await serve('', 1)
    closed.close()
    await expect(directPut({ hostname: '127.0.0.1', port: closed.port, path: '/b/k', headers: {} }, init(file, bytes.byteLength)))
      .rejects.toMatchObject({ name: 'S3UnavailableError', message: expect.stringContaining('ECONNREFUSED') })

    // the socket buffers fill, then nothing is taken for silenceMs
    const stalled = await serve('', 0)
    closers.push(stalled.close)
    await expect(directPut({ hostname: '127.0.0.1', port: stalled.port, path: '/b/k', headers: { 'content-length': String(bytes.byteLength) } }, init(file, bytes.byteLength, { silenceMs: 300, bufferBytes: 1024 * 1024 })))
      .rejects.toMatchObject({ name: 'S3UnavailableError', message: expect.stringMatching(/http:\/\/test.*no byte taken for 300 ms/) })
  }, 20_000)
})
