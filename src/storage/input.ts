/** Turning what `store()` accepts into a byte stream, without reading files into memory. */
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import { CHUNK_SIZE, COLD_IMPORT_READ_BUFFERS } from '../constants.ts'
import { InputNotFoundError, InvalidInputError } from '../errors.ts'
import { ReusedFileChunks } from './file-chunks.ts'

/** What `store()` accepts. `{ path }` streams a file from disk. */
export type StoreInput = Uint8Array | string | { path: string } | AsyncIterable<Uint8Array>

export interface ByteSource {
  stream: AsyncIterable<Uint8Array>
  /** Known up front for bytes, strings and files. */
  size: number | undefined
  /** Set when the stream is a file read into reused buffers: its consumer retains what it keeps past the next chunk. */
  reused?: ReusedFileChunks
}

/**
 * @param options.reuseBuffers a file is read into COLD_IMPORT_READ_BUFFERS reused buffers
 * (`reused`), for a consumer that keeps no chunk past the next without retaining it
 */
export async function toByteSource (input: StoreInput, options: { reuseBuffers?: boolean } = {}): Promise<ByteSource> {
  if (input instanceof Uint8Array) {
    return { stream: [input] as unknown as AsyncIterable<Uint8Array>, size: input.byteLength }
  }
  if (typeof input === 'string') {
    const bytes = new TextEncoder().encode(input)
    return { stream: [bytes] as unknown as AsyncIterable<Uint8Array>, size: bytes.byteLength }
  }
  if (input != null && typeof input === 'object' && Symbol.asyncIterator in input) {
    return { stream: input, size: undefined }
  }
  if (input != null && typeof input === 'object' && typeof (input as { path?: unknown }).path === 'string') {
    const path = (input as { path: string }).path
    const stat = await fs.stat(path).catch((err: any) => {
      throw new InputNotFoundError(path, { cause: err })
    })
    if (!stat.isFile()) throw new InvalidInputError(`${path} is not a regular file`)
    if (options.reuseBuffers === true) {
      const reused = new ReusedFileChunks(path, CHUNK_SIZE, COLD_IMPORT_READ_BUFFERS)
      return { stream: reused, size: stat.size, reused }
    }
    return { stream: createReadStream(path, { highWaterMark: CHUNK_SIZE }), size: stat.size }
  }
  throw new InvalidInputError(`cannot store a value of type ${input === null ? 'null' : typeof input}`)
}
