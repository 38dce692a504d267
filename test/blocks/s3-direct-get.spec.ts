/**
 * The cold read's own ranged GET (src/blocks/s3-direct-get.ts) against a raw HTTP server that
 * answers as a test needs: blocks come out whole and in order however the body is cut into
 * writes, frame bytes between blocks skipped; an answer that is not a plain 206 of the range is
 * NotDirectError (the caller asks through the SDK); a connection cut mid-body is
 * S3UnavailableError naming the endpoint.
 */
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { directGet } from '../../src/blocks/s3-direct-get.ts'
import type { DirectGetInit } from '../../src/blocks/s3-direct-get.ts'

/** A server that writes `answer(request)` in pieces of `piece` bytes, one per tick. */
async function serve (answer: (head: string) => Uint8Array, piece: number, cutAfter = Infinity): Promise<{ port: number, heads: string[], close: () => void }> {
  const heads: string[] = []
  const server = net.createServer(socket => {
    let text = ''
    socket.on('data', chunk => {
      text += chunk.toString('latin1')
      if (!text.includes('\r\n\r\n')) return
      heads.push(text)
      const bytes = answer(text)
      const end = Math.min(bytes.byteLength, cutAfter)
      let at = 0
      const next = (): void => {
        if (at >= end) { if (end < bytes.byteLength) socket.destroy(); else socket.end(); return }
        socket.write(bytes.subarray(at, at + piece))
        at += piece
        setImmediate(next)
      }
      next()
    })
    socket.on('error', () => {})
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as net.AddressInfo).port, heads, close: () => { server.close() } }
}

/** A pack-like body: a frame of `gap` bytes before each block. */
function packOf (blocks: Uint8Array[], gap: number): { body: Uint8Array, spans: Array<{ offset: number, length: number }> } {
  const parts: Uint8Array[] = []
  const spans: Array<{ offset: number, length: number }> = []
  let at = 0
  for (const block of blocks) {
    parts.push(randomBytes(gap))
    at += gap
    spans.push({ offset: at, length: block.byteLength })
    parts.push(block)
    at += block.byteLength
  }
  return { body: Buffer.concat(parts), spans }
}

const init = (over: Partial<DirectGetInit> & Pick<DirectGetInit, 'start' | 'end' | 'blocks'>): DirectGetInit =>
  ({ endpoint: 'http://test', connectTimeoutMs: 2000, deadlineMs: 2000, silenceMs: 2000, ...over })

async function collect (source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const block of source) out.push(Uint8Array.prototype.slice.call(block))
  return out
}

describe('directGet', () => {
  const closers: Array<() => void> = []
  afterEach(() => { for (const close of closers.splice(0)) close() })

  it('reads the blocks of a range whole and in order, however the body is cut, and sends the signed headers', async () => {
    const blocks = [randomBytes(70_000), randomBytes(1), randomBytes(100_000), randomBytes(5000)]
    const { body, spans } = packOf(blocks, 37)
    const offset = 1000 // the range starts inside the pack
    for (const piece of [13, 333, 65536]) {
      const server = await serve(() => Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.byteLength}\r\nContent-Range: bytes ${offset}-${offset + body.byteLength - 1}/999999\r\n\r\n`), body]), piece)
      closers.push(server.close)
      const got = await collect(await directGet(
        { hostname: '127.0.0.1', port: server.port, path: '/bucket/k%20ey.car', query: { 'x-id': 'GetObject' }, headers: { authorization: 'AWS4 signed', range: 'bytes=1-2' } },
        init({ start: offset, end: offset + body.byteLength, blocks: spans.map(s => ({ offset: s.offset + offset, length: s.length })) })))
      expect(got.map(b => Buffer.from(b).toString('hex'))).toEqual(blocks.map(b => Buffer.from(b).toString('hex')))
      expect(server.heads[0]).toMatch(/^GET \/bucket\/k%20ey\.car\?x-id=GetObject HTTP\/1\.1\r\n/)
      expect(server.heads[0]).toContain('authorization: AWS4 signed\r\n')
      expect(server.heads[0]).toContain(`host: 127.0.0.1:${server.port}\r\n`)
    }
  })

  it('rejects an answer that is not a plain 206 of the range with NotDirectError (the SDK asks again)', async () => {
    const body = randomBytes(100)
    const answers = [
      `HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno!`,
      `HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n`,
      `HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\nContent-Range: bytes 0-99/100\r\n\r\n`,
      `HTTP/1.1 206 Partial Content\r\nContent-Length: 100\r\nContent-Range: bytes 1-100/101\r\n\r\n`
    ]
    for (const head of answers) {
      const server = await serve(() => Buffer.concat([Buffer.from(head), body]), 65536)
      closers.push(server.close)
      await expect(directGet({ hostname: '127.0.0.1', port: server.port, path: '/b/k', headers: {} }, init({ start: 0, end: 100, blocks: [{ offset: 0, length: 100 }] })))
        .rejects.toMatchObject({ name: 'NotDirectError' })
    }
  })

  it('fails with S3UnavailableError naming the endpoint when the connection is cut mid-body or refused', async () => {
    const blocks = [randomBytes(50_000), randomBytes(50_000)]
    const { body, spans } = packOf(blocks, 10)
    const server = await serve(() => Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.byteLength}\r\nContent-Range: bytes 0-${body.byteLength - 1}/${body.byteLength}\r\n\r\n`), body]), 4096, 70_000)
    closers.push(server.close)
    const source = await directGet({ hostname: '127.0.0.1', port: server.port, path: '/b/k', headers: {} }, init({ start: 0, end: body.byteLength, blocks: spans }))
    const err = await collect(source).then(() => undefined, (e: any) => e)
    expect(err).toMatchObject({ name: 'S3UnavailableError', message: expect.stringContaining('http://test') })

    const closed = await serve(() => new Uint8Array(0), 1)
    closed.close()
    closers.push(() => {})
    await expect(directGet({ hostname: '127.0.0.1', port: closed.port, path: '/b/k', headers: {} }, init({ start: 0, end: 10, blocks: [{ offset: 0, length: 10 }] })))
      .rejects.toMatchObject({ name: 'S3UnavailableError', message: expect.stringContaining('ECONNREFUSED') })
  })
})
