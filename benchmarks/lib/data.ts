/**
 * Benchmark input: files of random bytes written once, streamed in fixed
 * chunks so that generating (or reading) gigabytes never holds more than one
 * chunk in memory.
 */
import { randomFillSync } from 'node:crypto'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'

/** Chunk used to generate and stream benchmark data: the UnixFS chunk size. */
export const DATA_CHUNK = 1024 * 1024

/** Write `bytes` random bytes to `file`, one DATA_CHUNK at a time. */
export async function writeRandomFile (file: string, bytes: number): Promise<void> {
  const chunk = Buffer.allocUnsafe(DATA_CHUNK)
  const handle = await fs.open(file, 'w')
  try {
    for (let written = 0; written < bytes;) {
      const n = Math.min(DATA_CHUNK, bytes - written)
      randomFillSync(chunk, 0, n)
      await handle.write(chunk, 0, n)
      written += n
    }
  } finally {
    await handle.close()
  }
}

/** The bytes [start, start + length) of `file` as a stream of chunks of at most DATA_CHUNK. */
export function fileRange (file: string, start: number, length: number): AsyncIterable<Uint8Array> {
  if (length === 0) return (async function * () {})()
  return createReadStream(file, { start, end: start + length - 1, highWaterMark: DATA_CHUNK })
}

/** Consume a stream, returning how many bytes it produced. */
export async function drain (source: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0
  for await (const chunk of source) bytes += chunk.byteLength
  return bytes
}
