/**
 * Streaming multipart/form-data: each part is yielded as it arrives, its
 * bytes an async iterable, so a 10 GB upload never sits in memory.
 */
import busboy from 'busboy'
import { RpcError } from './rpc-error.ts'
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'

export interface MultipartPart {
  /** The form field name (`file`, `file-1`, `dir`, … with kubo-rpc-client). */
  field: string
  /** The decoded `filename`; '' when the client sent none. */
  filename: string
  contentType: string
  /** The part's bytes; must be consumed (or drained) before the next part arrives. */
  body: AsyncIterable<Uint8Array>
}

export interface MultipartOptions {
  /** Largest part in bytes; a longer one fails with 413. @default unlimited */
  maxPartBytes?: number
  signal?: AbortSignal
}

/** Yield the parts of a multipart request in order. */
export async function * parseMultipart (req: IncomingMessage, options: MultipartOptions = {}): AsyncGenerator<MultipartPart> {
  let parser: busboy.Busboy
  try {
    parser = busboy({ headers: req.headers, limits: { fileSize: options.maxPartBytes ?? Infinity } })
  } catch (err: any) {
    throw new RpcError(400, `expected a multipart/form-data body: ${err.message}`, { cause: err })
  }
  const queue: Array<{ field: string, filename: string, contentType: string, stream: Readable }> = []
  let finished = false
  let failure: unknown
  let wake: (() => void) | undefined
  const notify = (): void => { wake?.(); wake = undefined }

  parser.on('file', (field, stream, info) => {
    stream.on('limit', () => stream.destroy(new RpcError(413, `part "${field}" is larger than the ${options.maxPartBytes} byte limit`)))
    queue.push({ field, filename: info.filename ?? '', contentType: info.mimeType, stream })
    notify()
  })
  parser.on('field', () => {}) // Kubo ignores non-file fields
  parser.on('close', () => { finished = true; notify() })
  parser.on('error', (err: any) => { failure = new RpcError(400, `malformed multipart body: ${err.message}`, { cause: err }); notify() })
  req.on('aborted', () => { failure = new RpcError(400, 'request aborted by the client'); notify() })
  req.pipe(parser)

  try {
    while (true) {
      if (failure != null) throw failure
      const next = queue.shift()
      if (next != null) {
        let filename = next.filename
        try { filename = decodeURIComponent(filename) } catch { /* not percent-encoded: keep it as sent */ }
        yield { field: next.field, filename, contentType: next.contentType, body: partBody(next.stream) }
        // the consumer may have stopped early: drain so busboy can move on
        if (!next.stream.readableEnded && !next.stream.destroyed) next.stream.resume()
        continue
      }
      if (finished) return
      options.signal?.throwIfAborted()
      await new Promise<void>(resolve => { wake = resolve })
    }
  } finally {
    req.unpipe(parser)
    if (!finished) req.resume()
  }
}

/** The part's bytes; a body that ends before its boundary is the client's fault (400), not ours. */
async function * partBody (stream: Readable): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array
  } catch (err: any) {
    if (err instanceof RpcError) throw err
    throw new RpcError(400, `malformed multipart body: ${err.message}`, { cause: err })
  }
}

/** Read a whole part into memory (for bounded parts such as a block). */
export async function readPart (body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of body) chunks.push(chunk)
  return chunks.length === 1 ? chunks[0] as Uint8Array : Buffer.concat(chunks)
}
