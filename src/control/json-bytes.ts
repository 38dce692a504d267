/**
 * Bytes in a JSON answer for a caller that reads text (an agent): valid UTF-8
 * without NUL as `text`, anything else as `base64`, and never more than a
 * bound, with a note saying how to read on.
 */

/** Bytes as JSON: one of `text` or `base64`. */
export type JsonBytes = { text: string } | { base64: string }

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The longest tail of a UTF-8 sequence that a cut can leave incomplete. */
const MAX_PARTIAL_CHAR = 3

export function jsonBytes (bytes: Uint8Array): JsonBytes {
  const text = asText(bytes)
  return text == null ? { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') } : { text }
}

function asText (bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    return decoder.decode(bytes)
  } catch {
    return undefined
  }
}

export interface CappedBytes {
  /** The bytes kept. */
  bytes: Uint8Array
  /** More bytes followed the ones kept. */
  truncated: boolean
}

/**
 * Read `source` until `cap` bytes, and one more to know whether it goes on.
 * A cut inside a UTF-8 character moves back to its start, so that text stays
 * text (the caller's next offset is then `bytes.byteLength` further).
 */
export async function readCapped (source: AsyncIterable<Uint8Array>, cap: number): Promise<CappedBytes> {
  const chunks: Uint8Array[] = []
  let total = 0
  let truncated = false
  for await (const chunk of source) {
    const room = cap - total
    if (chunk.byteLength > room) {
      chunks.push(chunk.subarray(0, room))
      total += room
      truncated = true
      break
    }
    chunks.push(chunk)
    total += chunk.byteLength
  }
  let bytes: Uint8Array = Buffer.concat(chunks, total)
  if (truncated && asText(bytes) == null) {
    for (let back = 1; back <= MAX_PARTIAL_CHAR && back < bytes.byteLength; back++) {
      const shorter = bytes.subarray(0, bytes.byteLength - back)
      if (asText(shorter) != null) {
        bytes = shorter
        break
      }
    }
  }
  return { bytes, truncated }
}
