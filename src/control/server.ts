/**
 * The daemon's control server: the KitOperations of a running Kit served as
 * HTTP on `<dataDir>/control.sock`, so CLI commands reach a data directory
 * whose lock the daemon holds. Request and response bodies are streamed.
 */
import { once } from 'node:events'
import fs from 'node:fs/promises'
import { createServer } from './node-http.ts'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { logger } from '@libp2p/logger'
import { CONTROL_MAX_CACHE_VALUE_BYTES, CONTROL_SOCKET, CONTROL_SOCKET_MODE, CONTROL_STOP_GRACE_MS, MAX_SOCKET_PATH_BYTES } from '../constants.ts'
import { AbortError } from '../errors.ts'
import { BadRequestError, ControlSocketError } from './errors.ts'
import { callOperation } from './operation-spec.ts'
import { localOperations } from './operations.ts'
import { PROGRESS_MEDIA_TYPE, answerWithProgress } from './progress-lines.ts'
import { API_PREFIX, ERROR_TRAILER, FRAME_DATA, FRAME_END, MAX_ARGS_LENGTH, STREAM_PROTOCOL, STREAM_QUEUE_BYTES, encodeErrorHeader, frameHeader, statusFor, toErrorShape } from './protocol.ts'
import { operationSpec } from './registry/index.ts'
import { describeIssues, inputSchema } from './schemas.ts'
import type { KitOperations } from './operations.ts'
import type { Kit } from '../index.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { BackendName } from '../index.ts'

const log = logger('ipfs-kit:control:server')

export interface ControlServerInit {
  /** Socket path. @default `<kit.dataDir>/control.sock` */
  path?: string
  /** What the server runs; a seam for tests. @default localOperations(kit) */
  operations?: KitOperations
}

export interface ControlServer {
  /** The socket path. */
  readonly path: string
  /** Remove a stale socket file, listen, and restrict the socket to this user. */
  start(): Promise<void>
  /** Abort in-flight requests, close every connection and remove the socket. */
  stop(): Promise<void>
}

type Args = Record<string, unknown>

/**
 * Serve a Kit's operations on its control socket. The caller must hold the
 * data directory (a started Kit does), which is what makes removing a
 * leftover socket file safe.
 *
 * @example
 * const server = createControlServer(kit)
 * await server.start()
 * // … on SIGTERM
 * await server.stop()
 */
export function createControlServer (kit: Kit, init: ControlServerInit = {}): ControlServer {
  const socketPath = init.path ?? path.join(kit.dataDir, CONTROL_SOCKET)
  const ops = init.operations ?? localOperations(kit)
  const inflight = new Set<AbortController>()

  const server = createServer((req, res) => {
    const controller = new AbortController()
    inflight.add(controller)
    // the client went away (or we cut it): stop the work done on its behalf
    res.on('close', () => {
      inflight.delete(controller)
      controller.abort(new AbortError('the control client disconnected'))
    })
    handle(ops, req, res, controller.signal).catch(err => {
      log.error('control request %s failed - %e', req.url, err)
      res.destroy()
    })
  })
  // framed byte streams (protocol.ts): the socket leaves the HTTP server's hands, so it is tracked here
  const streams = new Set<Duplex>()
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const controller = new AbortController()
    inflight.add(controller)
    streams.add(socket)
    socket.on('error', err => { log('stream %s: %e', req.url, err) })
    socket.on('close', () => {
      inflight.delete(controller)
      streams.delete(socket)
      controller.abort(new AbortError('the control client disconnected'))
    })
    serveStream(ops, req, socket, controller.signal).catch(err => {
      log.error('control stream %s failed - %e', req.url, err)
      socket.destroy()
    })
  })

  return {
    path: socketPath,
    start: async () => {
      const bytes = Buffer.byteLength(socketPath)
      if (bytes > MAX_SOCKET_PATH_BYTES) {
        throw new ControlSocketError(socketPath, `the path is ${bytes} bytes, Unix sockets allow ${MAX_SOCKET_PATH_BYTES}`)
      }
      // A socket left by a daemon that died: no live daemon can own it while we hold the repo lock.
      await fs.rm(socketPath, { force: true })
      try {
        // the socket is connectable from listen() until the chmod below: only a directory that
        // other users cannot enter (the data directory is 0700) keeps them out in between
        await assertPrivateDir(socketPath)
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          server.listen(socketPath, () => {
            server.off('error', reject)
            resolve()
          })
        })
        await fs.chmod(socketPath, CONTROL_SOCKET_MODE)
      } catch (err: any) {
        server.close()
        if (err instanceof ControlSocketError) throw err
        throw new ControlSocketError(socketPath, err.code ?? err.message, { cause: err })
      }
      log('listening on %s', socketPath)
    },
    stop: async () => {
      if (server.listening) {
        const closed = new Promise<void>(resolve => server.close(() => { resolve() }))
        for (const controller of inflight) controller.abort(new AbortError('the daemon is stopping'))
        server.closeIdleConnections()
        await Promise.race([closed, delay(CONTROL_STOP_GRACE_MS, undefined, { ref: false })])
        server.closeAllConnections()
        for (const socket of streams) socket.destroy()
        await closed
      }
      await fs.rm(socketPath, { force: true })
    }
  }
}

async function handle (ops: KitOperations, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  try {
    if (req.method !== 'POST') throw new BadRequestError(`method ${req.method ?? ''} not allowed`)
    const url = new URL(req.url ?? '/', 'http://control')
    if (!url.pathname.startsWith(API_PREFIX)) throw new BadRequestError(`unknown path ${url.pathname}`)
    const op = url.pathname.slice(API_PREFIX.length)
    const args = parseArgsParam(url.searchParams.get('args'))
    const spec = operationSpec(op)
    if (spec == null) throw new BadRequestError(`unknown operation ${JSON.stringify(op)}`)
    if (op === 'add') {
      const { filename, pin, backends } = await validArgs(op, args, ['filename', 'pin', 'backends'])
      const result = await ops.add(req, { filename: filename as string | undefined, pin: pin as boolean | undefined, backends: backends as BackendName[] | undefined, signal })
      sendJson(res, 200, { result })
    } else if (op === 'cachePut') {
      const { key, ttl } = await validArgs(op, args, ['key', 'ttl'])
      const result = await ops.cachePut(key as string, await readBounded(req, CONTROL_MAX_CACHE_VALUE_BYTES), { ttl: ttl as number | undefined, signal })
      sendJson(res, 200, { result })
    } else if (op === 'cat') {
      await serveCat(ops, await validArgs(op, args), res, signal)
    } else if (spec.wire === 'bytes') {
      throw new BadRequestError(`${op} is not served as JSON`)
    } else {
      const input = await validArgs(op, args)
      const encode = (value: unknown): unknown => value === undefined ? null : spec.codec == null ? value : spec.codec.encode(value)
      if (spec.progress === true && req.headers.accept === PROGRESS_MEDIA_TYPE) {
        await answerWithProgress(res, async onProgress => encode(await callOperation(ops, spec, input, { signal, onProgress })))
      } else {
        sendJson(res, 200, { result: encode(await callOperation(ops, spec, input, { signal })) })
      }
    }
  } catch (err) {
    if (res.headersSent) throw err
    sendJson(res, statusFor(err), { error: toErrorShape(err) })
  }
}

/**
 * Stream a file. The first chunk is read before answering, so a bad or
 * missing CID is an ordinary error response; a later failure goes in the
 * error trailer.
 */
async function serveCat (ops: KitOperations, args: Args, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const chunks = ops.cat(args.cid as string, {
    offset: args.offset as number | undefined,
    length: args.length as number | undefined,
    signal
  })[Symbol.asyncIterator]()
  let next = await chunks.next()
  res.writeHead(200, { 'content-type': 'application/octet-stream', trailer: ERROR_TRAILER })
  try {
    while (next.done !== true) {
      if (!res.write(next.value)) await once(res, 'drain', { signal })
      next = await chunks.next()
    }
  } catch (err) {
    await chunks.return?.()
    if (res.destroyed) return
    res.addTrailers({ [ERROR_TRAILER]: encodeErrorHeader(err) })
  }
  res.end()
}

/**
 * A `cat` as frames on an upgraded connection. Errors, from a bad request to
 * a block that fails verification mid-file, travel in the end frame.
 */
/** The socket's directory must be this user's alone. */
async function assertPrivateDir (socketPath: string): Promise<void> {
  const dir = path.dirname(socketPath)
  const { mode, uid } = await fs.stat(dir)
  if ((mode & 0o077) !== 0 || (process.getuid != null && uid !== process.getuid())) {
    throw new ControlSocketError(socketPath, `its directory ${dir} is open to other users (mode ${(mode & 0o777).toString(8)}) or not ours; it must be 0700 so that no one else can connect before the socket is restricted`)
  }
}

async function serveStream (ops: KitOperations, req: IncomingMessage, socket: Duplex, signal: AbortSignal): Promise<void> {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${STREAM_PROTOCOL}\r\n\r\n`)
  let end: object = {}
  try {
    if (req.headers.upgrade !== STREAM_PROTOCOL) throw new BadRequestError(`unknown upgrade ${JSON.stringify(req.headers.upgrade)}`)
    const url = new URL(req.url ?? '/', 'http://control')
    if (url.pathname !== `${API_PREFIX}cat`) throw new BadRequestError(`${url.pathname} does not stream`)
    const args = await validArgs('cat', parseArgsParam(url.searchParams.get('args')))
    const chunks = ops.cat(args.cid as string, { offset: args.offset as number | undefined, length: args.length as number | undefined, signal })
    for await (const chunk of chunks) {
      socket.cork()
      socket.write(frameHeader(FRAME_DATA, chunk.byteLength))
      socket.write(chunk)
      socket.uncork()
      if (socket.writableLength > STREAM_QUEUE_BYTES) await once(socket, 'drain', { signal })
    }
  } catch (err) {
    if (socket.destroyed) return
    end = { error: toErrorShape(err) }
  }
  const body = Buffer.from(JSON.stringify(end))
  socket.write(frameHeader(FRAME_END, body.byteLength))
  socket.end(body)
}

function sendJson (res: ServerResponse, status: number, value: unknown): void {
  if (res.destroyed) return
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function parseArgsParam (param: string | null): Args {
  if (param == null) return {}
  if (param.length > MAX_ARGS_LENGTH) throw new BadRequestError('arguments too long')
  let value: unknown
  try {
    value = JSON.parse(param)
  } catch {
    throw new BadRequestError('arguments are not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError('arguments must be a JSON object')
  return value as Args
}

/** A request body read whole, refused past `limit` bytes. */
async function readBounded (body: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of body) {
    total += chunk.byteLength
    if (total > limit) throw new BadRequestError(`body over ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/**
 * A call's arguments checked against the operation's input schema in the
 * registry (only the fields in `pick`, for an operation whose other input
 * travels as the body).
 */
async function validArgs (op: string, args: Args, pick?: readonly string[]): Promise<Args> {
  const spec = operationSpec(op)
  if (spec == null) throw new BadRequestError(`unknown operation ${JSON.stringify(op)}`)
  let schema = await inputSchema(spec)
  if (pick != null) schema = schema.pick(Object.fromEntries(pick.map(key => [key, true])) as Record<string, true>)
  const parsed = schema.safeParse(args)
  if (!parsed.success) throw new BadRequestError(`${op}: ${describeIssues(parsed.error.issues)}`)
  return parsed.data
}
