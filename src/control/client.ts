/**
 * The control client: KitOperations over a daemon's control socket. Files go
 * to the daemon as a streamed request body and come back as a streamed
 * response (framed, for `catTo`); nothing is held whole in memory. `save`
 * sends only a path: the daemon writes the file.
 */
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import { request } from './node-http.ts'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CustomProgressEvent } from 'progress-events'
import { CHUNK_SIZE, CONTROL_SOCKET, CONTROL_TIMEOUT_MS } from '../constants.ts'
import { DaemonUnreachableError, InputNotFoundError, InvalidInputError, isKitError } from '../errors.ts'
import { RemoteError } from './errors.ts'
import { operationInput } from './operation-spec.ts'
import { PROGRESS_MEDIA_TYPE, readProgressLines } from './progress-lines.ts'
import { ERROR_TRAILER, decodeErrorHeader, operationPath, parseErrorShape } from './protocol.ts'
import { OPERATIONS } from './registry/index.ts'
import { streamTo } from './stream-client.ts'
import type { AddInput, AddOptions, CatOptions, IdResult, KitOperations } from './operations.ts'
import type { OperationSpec } from './operation-spec.ts'
import type { AddArgs, CatArgs } from './protocol.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { IncomingMessage } from 'node:http'

export interface ControlClientInit {
  /** Socket path. @default `<dataDir>/control.sock` */
  path?: string
  /** How long `ping()` waits for an answer. @default CONTROL_TIMEOUT_MS */
  timeout?: number
}

export interface ControlClient extends KitOperations {
  /** The socket path. */
  readonly path: string
  /** The daemon's identity, or DaemonUnreachableError when it does not answer within the timeout. */
  ping(options?: AbortOptions): Promise<IdResult>
}

interface CallOptions extends AbortOptions {
  body?: AsyncIterable<Uint8Array>
  /** Media type the client asks for (PROGRESS_MEDIA_TYPE for progress lines). */
  accept?: string
}

/**
 * A client for the daemon holding `dataDir`.
 *
 * @example
 * const daemon = controlClient('/var/lib/ipfs-kit')
 * await daemon.ping()
 * for await (const chunk of daemon.cat(cid)) process.stdout.write(chunk)
 */
export function controlClient (dataDir: string, init: ControlClientInit = {}): ControlClient {
  const socketPath = init.path ?? path.join(dataDir, CONTROL_SOCKET)
  const timeout = init.timeout ?? CONTROL_TIMEOUT_MS

  /** Errors of the socket itself become DaemonUnreachableError; the daemon's own and the caller's pass through. */
  const failure = (err: any, signal: AbortSignal | undefined): unknown => {
    if (isKitError(err)) return err
    if (signal?.aborted === true) {
      return signal.reason?.name === 'TimeoutError'
        ? new DaemonUnreachableError(dataDir, `no answer within ${timeout} ms`, { cause: err })
        : signal.reason
    }
    return new DaemonUnreachableError(dataDir, err?.code ?? err?.message ?? String(err), { cause: err })
  }

  async function call (op: string, args: object, options: CallOptions = {}): Promise<IncomingMessage> {
    options.signal?.throwIfAborted()
    const req = request({ socketPath, method: 'POST', path: operationPath(op, args), agent: false, signal: options.signal })
    if (options.accept != null) req.setHeader('accept', options.accept)
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve)
      req.once('error', reject)
    })
    let uploadError: unknown
    if (options.body == null) {
      req.end()
    } else {
      req.setHeader('content-type', 'application/octet-stream')
      // a failed upload (unreadable input, or the daemon answering early) is settled by the response below
      pipeline(Readable.from(options.body), req).catch(err => { uploadError = err })
    }
    let res: IncomingMessage
    try {
      res = await response
    } catch (err) {
      throw failure(uploadError ?? err, options.signal)
    }
    if (res.statusCode === 200) return res
    const body = await readJson(res).catch(err => { throw failure(err, options.signal) })
    throw new RemoteError(parseErrorShape((body as { error?: unknown } | undefined)?.error))
  }

  async function unary<T> (op: string, args: object, options: AbortOptions = {}): Promise<T> {
    const res = await call(op, args, options)
    return await result(res, options.signal)
  }

  /** The method of a registry operation carried as JSON: its arguments as the input, progress lines when asked. */
  function remote (spec: OperationSpec): (...args: unknown[]) => Promise<unknown> {
    return async (...args) => {
      const { input, options } = operationInput(spec, args)
      const decode = (value: unknown): unknown => spec.codec == null ? value : spec.codec.decode(value)
      if (spec.progress !== true || options.onProgress == null) return decode(await unary(spec.name, input, options))
      const res = await call(spec.name, input, { ...options, accept: PROGRESS_MEDIA_TYPE })
      try {
        return decode(await readProgressLines(res, options.onProgress))
      } catch (err) {
        throw failure(err, options.signal)
      }
    }
  }

  async function result<T> (res: IncomingMessage, signal: AbortSignal | undefined): Promise<T> {
    let body: unknown
    try {
      body = await readJson(res)
    } catch (err) {
      throw failure(err, signal)
    }
    if (typeof body !== 'object' || body === null || !('result' in body)) {
      throw new DaemonUnreachableError(dataDir, 'unexpected answer on the control socket')
    }
    return body.result as T
  }

  async function * cat (cid: string, options: CatOptions): AsyncGenerator<Uint8Array> {
    const args: CatArgs = { cid, offset: options.offset, length: options.length }
    const res = await call('cat', args, options)
    try {
      for await (const chunk of res) yield chunk
    } catch (err) {
      throw failure(err, options.signal)
    } finally {
      res.destroy()
    }
    const trailer = res.trailers[ERROR_TRAILER]
    if (trailer != null) throw new RemoteError(decodeErrorHeader(trailer))
  }

  // every registry operation carried as JSON; the byte operations below have their own wire
  const generated = Object.fromEntries(OPERATIONS.filter(spec => spec.wire !== 'bytes').map(spec => [spec.name, remote(spec)])) as unknown as Omit<KitOperations, 'add' | 'cat' | 'catTo' | 'cachePut'>

  return {
    ...generated,
    path: socketPath,
    ping: async (options = {}) => {
      const signal = AbortSignal.any([AbortSignal.timeout(timeout), ...(options.signal == null ? [] : [options.signal])])
      return await unary<IdResult>('id', {}, { signal })
    },
    add: async (input: AddInput, options: AddOptions = {}) => {
      const source = await openInput(input)
      let bytes = 0
      async function * counted (): AsyncGenerator<Uint8Array> {
        for await (const chunk of source.stream) {
          bytes += chunk.byteLength
          options.onProgress?.(new CustomProgressEvent('storage:store:chunk', { bytes, total: source.size }))
          yield chunk
        }
      }
      const args: AddArgs = { filename: options.filename, pin: options.pin, backends: options.backends }
      const res = await call('add', args, { body: counted(), signal: options.signal })
      return await result(res, options.signal)
    },
    cat: (cid, options = {}) => cat(cid, options),
    catTo: async (cid, dest, options = {}) => {
      const args: CatArgs = { cid, offset: options.offset, length: options.length }
      try {
        return await streamTo({ socketPath, requestPath: operationPath('cat', args), dest, signal: options.signal })
      } catch (err) {
        throw failure(err, options.signal)
      }
    },
    cachePut: async (key, value, options = {}) => {
      const res = await call('cachePut', { key, ttl: options.ttl }, { body: (async function * () { yield value })(), signal: options.signal })
      return await result(res, options.signal)
    }
  }
}

/** The input as a stream, checked here: the daemon may not see this machine's paths as we do. */
async function openInput (input: AddInput): Promise<{ stream: AsyncIterable<Uint8Array>, size: number | undefined }> {
  if (Symbol.asyncIterator in input) return { stream: input, size: undefined }
  const stat = await fs.stat(input.path).catch((err: unknown) => {
    throw new InputNotFoundError(input.path, { cause: err })
  })
  if (!stat.isFile()) throw new InvalidInputError(`${input.path} is not a regular file`)
  return { stream: createReadStream(input.path, { highWaterMark: CHUNK_SIZE }), size: stat.size }
}

async function readJson (res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}
