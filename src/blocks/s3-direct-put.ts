/**
 * A pack upload (a PUT of a spooled file) written on a socket of its own from a few reused buffers.
 *
 * The SDK streams a body from a file read stream: a fresh buffer per read, 1 GiB of garbage per
 * GiB uploaded, which V8 frees only every ~64 MB of it and the allocator then keeps (the RSS of a
 * store straight to cold stood ~60 MB above what it holds). Here the request, signed by the SDK
 * (s3-objects.ts; the body unsigned, as the SDK signs a streamed one), is written on a plain
 * socket: the file is read into COLD_PUT_BUFFERS buffers in turn, each read into again once the
 * socket has taken its bytes.
 *
 * Only a plain `200` counts as done. Any other answer rejects with NotDirectError, and the
 * caller asks again through the SDK, whose error handling names what went wrong (as for
 * s3-direct-get.ts). A server that cannot be reached, or takes no byte for `silenceMs`, rejects
 * with S3UnavailableError naming the endpoint.
 */
import fs from 'node:fs/promises'
import net from 'node:net'
import { COLD_GET_HEAD_BYTES, COLD_PUT_BUFFER_BYTES, COLD_PUT_BUFFERS } from '../constants.ts'
import { S3UnavailableError } from '../errors.ts'
import { NotDirectError, requestHeadOf } from './s3-direct-get.ts'
import type { SignedGet } from './s3-direct-get.ts'

export interface DirectPutInit {
  /** The file whose first `size` bytes are the body (the request's signed content-length). */
  file: string
  size: number
  /** What errors name. */
  endpoint: string
  connectTimeoutMs: number
  /** Longest time without the connection taking a byte (or, once the body is sent, without an answer). */
  silenceMs: number
  signal?: AbortSignal
  /** @default COLD_PUT_BUFFERS */
  buffers?: number
  /** @default COLD_PUT_BUFFER_BYTES */
  bufferBytes?: number
}

/** Resolves once the server answered `200` to the whole body. */
export async function directPut (request: SignedGet, init: DirectPutInit): Promise<void> {
  init.signal?.throwIfAborted()
  const requestHead = requestHeadOf({ ...request, method: 'PUT' })
  const bufferBytes = init.bufferBytes ?? COLD_PUT_BUFFER_BYTES
  const buffers = Array.from({ length: init.buffers ?? COLD_PUT_BUFFERS }, () => Buffer.allocUnsafeSlow(bufferBytes))
  /** Per buffer: the write of its bytes still under way (settles when the socket has taken them). */
  const writing: Array<Promise<void> | undefined> = buffers.map(() => undefined)
  const handle = await fs.open(init.file, 'r')
  let failure: Error | undefined
  let answered: { resolve(): void, reject(err: Error): void } | undefined
  const answer = new Promise<void>((resolve, reject) => { answered = { resolve, reject } })
  answer.catch(() => {}) // awaited below, unless the body fails first
  let head = ''
  let silence: NodeJS.Timeout | undefined
  const fail = (err: Error): void => {
    if (failure != null) return
    failure = err
    socket.destroy()
    answered?.reject(err)
  }
  const quiet = (): void => {
    clearTimeout(silence)
    silence = setTimeout(() => { fail(new S3UnavailableError(init.endpoint, `no byte taken for ${init.silenceMs} ms`)) }, init.silenceMs)
  }

  const socket = net.connect({ host: request.hostname, port: request.port ?? 80 })
  const connectTimer = setTimeout(() => { fail(new S3UnavailableError(init.endpoint, `no connection within ${init.connectTimeoutMs} ms`)) }, init.connectTimeoutMs)
  const onAbort = (): void => { fail(init.signal?.reason ?? new Error('aborted')) }
  init.signal?.addEventListener('abort', onAbort, { once: true })
  const connected = new Promise<void>(resolve => socket.once('connect', resolve))
  socket.on('data', (chunk: Buffer) => {
    quiet()
    head += chunk.toString('latin1')
    const stop = head.indexOf('\r\n\r\n')
    if (stop < 0) {
      if (head.length > COLD_GET_HEAD_BYTES) fail(new NotDirectError(`answer head over ${COLD_GET_HEAD_BYTES} bytes`))
      return
    }
    const code = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]
    // the body of a 200 to a PUT is empty or an ETag; an error's is read by the SDK's request
    if (code === '200') answered?.resolve()
    else fail(new NotDirectError(`answered ${code ?? head.slice(0, head.indexOf('\r\n'))}`))
  })
  socket.on('error', (err: any) => { fail(new S3UnavailableError(init.endpoint, `${err.code ?? err.name}: ${String(err.message).split('\n')[0]}`, { cause: err })) })
  socket.on('close', () => { fail(new S3UnavailableError(init.endpoint, 'connection closed before an answer')) })

  /** Write `bytes` on the socket: settles once it has taken them. */
  const send = async (bytes: Uint8Array): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, err => {
        if (err != null) { reject(err); return }
        quiet()
        resolve()
      })
    })
  }
  try {
    await Promise.race([connected, answer])
    if (failure != null) throw failure
    clearTimeout(connectTimer)
    quiet()
    await send(Buffer.from(requestHead, 'latin1'))
    for (let position = 0, slot = 0; position < init.size; slot = (slot + 1) % buffers.length) {
      await writing[slot] // this buffer is read into again once the socket has taken it
      if (failure != null) throw failure
      const buffer = buffers[slot] as Buffer
      const length = Math.min(bufferBytes, init.size - position)
      for (let at = 0; at < length;) {
        const { bytesRead } = await handle.read(buffer, at, length - at, position + at)
        if (bytesRead === 0) throw new Error(`${init.file} is shorter than ${init.size} bytes`)
        at += bytesRead
      }
      position += length
      const sent = send(buffer.subarray(0, length))
      sent.catch(() => {}) // a failed write ends the connection: 'error' fails the upload
      writing[slot] = sent
    }
    await Promise.allSettled(writing)
    if (failure != null) throw failure
    await answer
  } catch (err: any) {
    fail(err)
    throw failure ?? err
  } finally {
    clearTimeout(connectTimer)
    clearTimeout(silence)
    init.signal?.removeEventListener('abort', onAbort)
    socket.destroy()
    await handle.close()
  }
}
