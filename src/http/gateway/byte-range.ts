/**
 * An HTTP `Range: bytes=…` request header for a file of known size. One
 * range is served (206); several, or a malformed header, are ignored and the
 * whole file is sent, as RFC 9110 allows; a range wholly past the end is 416.
 */
import { RpcError } from '../rpc-error.ts'

export interface ByteRangeRequest {
  /** First byte. */
  start: number
  /** Last byte, inclusive. */
  end: number
}

export function parseRange (header: string | undefined, size: number): ByteRangeRequest | undefined {
  if (header == null) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (match == null || (match[1] === '' && match[2] === '')) return undefined
  const [, first = '', last = ''] = match
  if (first === '') {
    // the last N bytes
    const n = Number(last)
    if (n === 0) throw new RpcError(416, `range ${header} is empty`)
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (!Number.isSafeInteger(start) || start >= size || end < start) throw new RpcError(416, `range ${header} is outside the ${size} byte file`)
  return { start, end }
}
