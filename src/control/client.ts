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
import { ERROR_TRAILER, decodeErrorHeader, operationPath, parseErrorShape } from './protocol.ts'
import { streamTo } from './stream-client.ts'
import type { AddInput, AddOptions, CatOptions, IdResult, KitOperations } from './operations.ts'
import type { AddArgs, CatArgs, UnaryCalls, UnaryOp } from './protocol.ts'
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

  async function unary<K extends UnaryOp> (op: K, args: UnaryCalls[K]['args'], options: AbortOptions = {}): Promise<UnaryCalls[K]['result']> {
    const res = await call(op, args, options)
    return await result(res, options.signal)
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

  return {
    path: socketPath,
    ping: async (options = {}) => {
      const signal = AbortSignal.any([AbortSignal.timeout(timeout), ...(options.signal == null ? [] : [options.signal])])
      return await unary('id', {}, { signal })
    },
    id: async (options) => await unary('id', {}, options),
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
    save: async (cid, path, options = {}) => await unary('save', { cid, path, mode: options.mode }, options),
    ls: async (options) => await unary('ls', {}, options),
    pinAdd: async (cid, options) => await unary('pinAdd', { cid }, options),
    pinRm: async (cid, options) => await unary('pinRm', { cid }, options),
    pinLs: async (options) => await unary('pinLs', {}, options),
    rm: async (cid, options) => await unary('rm', { cid }, options),
    gc: async (options) => await unary('gc', {}, options),
    verify: async (options = {}) => await unary('verify', { repair: options.repair === true }, options),
    status: async (options) => await unary('status', {}, options),
    tier: async (cid, options = {}) => await unary('tier', { cid, to: options.to }, options),
    modelPublish: async (dir, options) => await unary('modelPublish', { dir, name: options.name, revision: options.revision }, options),
    modelProviders: async (name, options = {}) => await unary('modelProviders', { name, revision: options.revision, timeoutMs: options.timeoutMs }, options),
    modelPull: async (name, options = {}) => await unary('modelPull', { name, revision: options.revision, dest: options.dest, hfCache: options.hfCache, force: options.force }, options),
    modelList: async (options) => await unary('modelList', {}, options),
    modelYank: async (name, options = {}) => await unary('modelYank', { name, revision: options.revision }, options),
    modelTrust: async (org, publisher, options) => await unary('modelTrust', { org, publisher }, options),
    modelUntrust: async (org, publisher, options) => await unary('modelUntrust', { org, publisher }, options),
    modelTrusted: async (options) => await unary('modelTrusted', {}, options),
    cachePut: async (key, value, options = {}) => {
      const res = await call('cachePut', { key, ttl: options.ttl }, { body: (async function * () { yield value })(), signal: options.signal })
      return await result(res, options.signal)
    },
    cacheGet: async (key, options) => {
      const value = await unary('cacheGet', { key }, options)
      return value == null ? undefined : new Uint8Array(Buffer.from(value, 'base64'))
    },
    cacheRm: async (key, options) => await unary('cacheRm', { key }, options),
    cacheLs: async (options) => await unary('cacheLs', {}, options),
    cacheStats: async (options) => await unary('cacheStats', {}, options)
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
