/**
 * The control channel's wire format: HTTP/1.1 over the daemon's Unix socket.
 *
 * Every operation is `POST /v1/<op>?args=<JSON>`, `<op>` and the arguments as
 * the operation registry (registry/) declares them. JSON operations answer
 * `200 { "result": … }` (or progress lines first, see progress-lines.ts); `add` takes the file as the request body and `cat`
 * answers with the file as the response body. A failure before the answer
 * starts is a non-200 status with `{ "error": ErrorShape }`; a failure while
 * `cat` streams is sent in the ERROR_TRAILER trailer, so a truncated file is
 * never taken for a whole one.
 *
 * `catTo` upgrades its request to STREAM_PROTOCOL (HTTP `Upgrade`, answered
 * `101`): the bytes then travel as frames, `type (1 byte) | length (4 bytes,
 * big-endian) | payload`, data frames and then one end frame whose payload is
 * `{}` or `{ "error": ErrorShape }`. Frames let the CLI read the socket into
 * one reused buffer and write it straight to its stdout: with HTTP's chunked
 * body, every 64 KiB read is a new Buffer, and at a few hundred MB/s the
 * allocations and their garbage collection cost the CLI 2–3 CPU-seconds per
 * GiB; framed, about 0.5.
 */
import { isKitError } from '../errors.ts'
import type { BackendName } from '../index.ts'

/** Path prefix of every operation; bump on an incompatible change. */
export const API_PREFIX = '/v1/'

/** Trailer carrying an error that happened after `cat` started streaming. */
export const ERROR_TRAILER = 'x-ipfs-kit-error'

/** Largest JSON request argument accepted by the server; arguments are CIDs and flags. */
export const MAX_ARGS_LENGTH = 16 * 1024

/** What travels for an error: enough for the CLI to print the same line as a local failure. */
export interface ErrorShape {
  name: string
  code: string | undefined
  message: string
  hint: string | undefined
}

/** Arguments of the streaming operations. */
export interface AddArgs { filename?: string, pin?: boolean, backends?: BackendName[] }
export interface CatArgs { cid: string, offset?: number, length?: number }

/** The `Upgrade` token of the framed byte stream. */
export const STREAM_PROTOCOL = 'ipfs-kit-stream/1'

/** Frame types of the byte stream. */
export const FRAME_DATA = 0
export const FRAME_END = 1
export const FRAME_HEADER_BYTES = 5

/** Largest end-frame payload a client accepts (an error shape). */
export const MAX_END_FRAME_BYTES = 64 * 1024

/**
 * Bytes the daemon queues on a stream before it waits for the CLI to read:
 * four 1 MiB blocks, so the daemon reads the next block while the last ones
 * are still in the socket rather than taking turns with the reader.
 */
export const STREAM_QUEUE_BYTES = 4 * 1024 * 1024

export function frameHeader (type: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  header.writeUInt8(type, 0)
  header.writeUInt32BE(length, 1)
  return header
}

export function operationPath (op: string, args: object): string {
  return `${API_PREFIX}${op}?args=${encodeURIComponent(JSON.stringify(args))}`
}

export function toErrorShape (err: unknown): ErrorShape {
  const e = err as { name?: unknown, code?: unknown, message?: unknown, hint?: unknown } | null | undefined
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: typeof e?.message === 'string' ? e.message : String(err),
    hint: typeof e?.hint === 'string' ? e.hint : undefined
  }
}

/** HTTP status for an error: the caller's fault (4xx) or the daemon's (5xx). */
export function statusFor (err: unknown): number {
  if (!isKitError(err)) return 500
  switch (err.name) {
    case 'InvalidCIDError':
    case 'InvalidInputError':
    case 'UnsupportedContentError':
      return 400
    case 'NotFoundError':
    case 'InputNotFoundError':
      return 404
    case 'AbortError':
      return 499
    default:
      return 500
  }
}

/** An error shape as one header-safe line (trailer values must be Latin-1 without line breaks). */
export function encodeErrorHeader (err: unknown): string {
  return encodeURIComponent(JSON.stringify(toErrorShape(err)))
}

export function decodeErrorHeader (value: string): ErrorShape {
  return parseErrorShape(JSON.parse(decodeURIComponent(value)))
}

/** Check an error shape received from the other side. */
export function parseErrorShape (value: unknown): ErrorShape {
  const v = (value ?? {}) as Record<string, unknown>
  return {
    name: typeof v.name === 'string' ? v.name : 'Error',
    code: typeof v.code === 'string' ? v.code : undefined,
    message: typeof v.message === 'string' ? v.message : 'unknown error from the daemon',
    hint: typeof v.hint === 'string' ? v.hint : undefined
  }
}
