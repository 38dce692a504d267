/**
 * A ranged GET of a run of blocks read from the socket straight into each block's own buffer.
 *
 * Through Node's HTTP client every body byte first lands in a socket chunk (a fresh 64 KiB
 * buffer per read), then is copied into its block: two buffers per byte read, and V8 answers
 * that churn of external memory with a full GC every ~32 MiB read (most of a cold read's CPU
 * went to GC). Here the request, signed by the SDK (s3-objects.ts), is written on a plain
 * socket whose reads (`onread`) go into the block being filled — or into a small scratch
 * buffer for the pack's frame bytes between blocks — so a block is one buffer, written once.
 *
 * Only the plain answer is read this way: `206` with exactly the bytes asked for (a length, no
 * transfer encoding, the range echoed). Anything else (an error, a redirect, chunked framing)
 * rejects with NotDirectError before a body byte is used, and the caller asks again through the
 * SDK, whose error handling names what went wrong. A server that cannot be reached rejects with
 * S3UnavailableError naming the endpoint, as the SDK path does.
 */
import net from 'node:net'
import { COLD_GET_HEAD_BYTES, COLD_GET_QUEUED_BLOCKS } from '../constants.ts'
import { S3UnavailableError } from '../errors.ts'

/** The signed request, as the SDK would have sent it. */
export interface SignedGet {
  /** GET when absent. */
  method?: string
  hostname: string
  port?: number
  path: string
  query?: Record<string, string | string[] | null>
  headers: Record<string, string>
}

export interface DirectGetInit {
  /** Pack bytes `[start, end)`, the range asked for. */
  start: number
  end: number
  /** Pack offset and length of each block, in order, within the range. */
  blocks: Array<{ offset: number, length: number }>
  /** What errors name. */
  endpoint: string
  connectTimeoutMs: number
  /** Longest wait for the answer's head, connecting included. */
  deadlineMs: number
  /** A body that stalls this long is cut. */
  silenceMs: number
  signal?: AbortSignal
}

/** The server answered, but not with the plain 206 this reader handles: ask through the SDK. */
export class NotDirectError extends Error {
  override readonly name = 'NotDirectError'
}

/**
 * Resolves once the answer's head is in (and is a plain 206 of the range) to the run's blocks,
 * in order, as they complete; the socket pauses while the consumer is behind.
 */
export async function directGet (request: SignedGet, init: DirectGetInit): Promise<AsyncIterable<Uint8Array>> {
  const { start, end, blocks } = init
  init.signal?.throwIfAborted()
  const head = Buffer.allocUnsafe(COLD_GET_HEAD_BYTES)
  const scratch = Buffer.allocUnsafe(64 * 1024)
  let headLength = 0
  let inBody = false
  let at = start // the pack offset of the next body byte
  let index = 0
  let block: Uint8Array | undefined
  let filled = 0
  /** What the last buffer handed out was for. */
  let into: 'gap' | 'block' = 'gap'
  let paused = false
  const queue: Uint8Array[] = []
  let failure: Error | undefined
  let ended = false
  let wake: (() => void) | undefined
  let answered: { resolve(): void, reject(err: Error): void } | undefined
  const headIn = new Promise<void>((resolve, reject) => { answered = { resolve, reject } })

  const notify = (): void => { const w = wake; wake = undefined; w?.() }
  const fail = (err: Error): void => {
    if (failure != null || ended) return
    failure = err
    socket.destroy()
    answered?.reject(err)
    notify()
  }
  /** `n` bytes were read into the buffer `nextBuffer` returned last. */
  const take = (n: number): void => {
    at += n
    if (into !== 'block') return
    filled += n
    if (filled < (block as Uint8Array).byteLength) return
    queue.push(block as Uint8Array)
    block = undefined
    filled = 0
    index++
    if (index === blocks.length) {
      ended = true
      socket.destroy()
    }
    notify()
  }
  /** Where the next read goes: the rest of the current block, or scratch up to the next block's start. */
  const nextBuffer = (): Uint8Array => {
    if (!inBody) return head.subarray(headLength)
    const next = blocks[index]
    into = next == null || at < next.offset ? 'gap' : 'block'
    if (next == null) return scratch
    if (at < next.offset) return scratch.subarray(0, Math.min(next.offset - at, scratch.byteLength))
    block ??= Buffer.allocUnsafeSlow(next.length) // every byte is read into it: no zero fill
    return block.subarray(filled)
  }
  /** The head's bytes past its end are body bytes: placed as a read would have placed them. */
  const placeEarlyBody = (bytes: Uint8Array): void => {
    let pos = 0
    while (pos < bytes.byteLength && index < blocks.length) {
      const target = nextBuffer()
      const n = Math.min(target.byteLength, bytes.byteLength - pos)
      target.set(bytes.subarray(pos, pos + n))
      pos += n
      take(n)
    }
  }
  const onHead = (): void => {
    const text = head.toString('latin1', 0, headLength)
    const stop = text.indexOf('\r\n\r\n')
    if (stop < 0) {
      if (headLength === head.byteLength) fail(new NotDirectError(`answer head over ${head.byteLength} bytes`))
      return
    }
    const [status, ...lines] = text.slice(0, stop).split('\r\n')
    const headers = new Map<string, string>()
    for (const line of lines) {
      const colon = line.indexOf(':')
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    const code = /^HTTP\/1\.[01] (\d{3})/.exec(status ?? '')?.[1]
    const range = /^bytes (\d+)-(\d+)\//.exec(headers.get('content-range') ?? '')
    if (code !== '206' || headers.has('transfer-encoding') || headers.get('content-length') !== String(end - start) ||
        range == null || Number(range[1]) !== start || Number(range[2]) !== end - 1) {
      fail(new NotDirectError(`answered ${code ?? status ?? '?'}, not a plain 206 of bytes ${start}-${end - 1}`))
      return
    }
    clearTimeout(deadline)
    inBody = true
    answered?.resolve()
    answered = undefined
    placeEarlyBody(head.subarray(stop + 4, headLength))
  }

  const requestHead = requestHeadOf(request)

  const socket = net.connect({
    host: request.hostname,
    port: request.port ?? 80,
    noDelay: true,
    onread: {
      buffer: nextBuffer,
      callback: (n: number) => {
        if (failure != null || ended) return false
        if (!inBody) {
          headLength += n
          onHead()
        } else {
          take(n)
        }
        paused = queue.length >= COLD_GET_QUEUED_BLOCKS
        return !paused
      }
    }
  })
  const connectTimer = setTimeout(() => { fail(new S3UnavailableError(init.endpoint, `no connection within ${init.connectTimeoutMs} ms`)) }, init.connectTimeoutMs)
  const deadline = setTimeout(() => { fail(new S3UnavailableError(init.endpoint, `no answer within ${init.deadlineMs} ms`)) }, init.deadlineMs)
  const onAbort = (): void => { fail(init.signal?.reason ?? new Error('aborted')) }
  init.signal?.addEventListener('abort', onAbort, { once: true })
  socket.once('connect', () => {
    clearTimeout(connectTimer)
    socket.setTimeout(init.silenceMs, () => { fail(new S3UnavailableError(init.endpoint, `no byte for ${init.silenceMs} ms`)) })
    socket.write(requestHead)
  })
  socket.on('error', (err: any) => { fail(new S3UnavailableError(init.endpoint, `${err.code ?? err.name}: ${String(err.message).split('\n')[0]}`, { cause: err })) })
  socket.on('end', () => {
    if (!ended) fail(new S3UnavailableError(init.endpoint, `connection closed after ${at - start} of ${end - start} bytes`))
  })
  socket.on('close', () => {
    clearTimeout(connectTimer)
    clearTimeout(deadline)
    init.signal?.removeEventListener('abort', onAbort)
    if (!ended) fail(new S3UnavailableError(init.endpoint, `connection closed after ${at - start} of ${end - start} bytes`))
  })

  await headIn
  return {
    async * [Symbol.asyncIterator] () {
      try {
        while (true) {
          const next = queue.shift()
          if (next != null) {
            if (paused && queue.length < COLD_GET_QUEUED_BLOCKS && !ended && failure == null) {
              paused = false
              socket.resume()
            }
            yield next
            continue
          }
          if (failure != null) throw failure
          if (ended) return
          await new Promise<void>(resolve => { wake = resolve })
        }
      } finally {
        // the consumer stopped (or the run is done): let the connection go
        ended = true
        socket.destroy()
      }
    }
  }
}

/**
 * The HTTP/1.1 head of a signed request, sent on a connection of its own (`connection: close`).
 * The `expect` header is left out (the body follows at once; it is never signed).
 */
export function requestHeadOf (request: SignedGet): string {
  const query = Object.entries(request.query ?? {}).flatMap(([key, value]) =>
    value == null ? [escape(key)] : (Array.isArray(value) ? value : [value]).map(v => `${escape(key)}=${escape(v)}`))
  const headers = Object.entries(request.headers).filter(([k]) => k.toLowerCase() !== 'connection' && k.toLowerCase() !== 'expect')
  if (!headers.some(([k]) => k.toLowerCase() === 'host')) headers.unshift(['host', request.port == null ? request.hostname : `${request.hostname}:${request.port}`])
  headers.push(['connection', 'close'])
  if (headers.some(([k, v]) => /[\r\n]/.test(k + v)) || /[\s]/.test(request.path)) throw new NotDirectError('a header or the path holds a line break')
  return `${request.method ?? 'GET'} ${request.path}${query.length > 0 ? `?${query.join('&')}` : ''} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`
}

/** RFC 3986 escaping of a query component, as the SDK's own HTTP handler builds it. */
function escape (value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
