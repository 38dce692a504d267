/**
 * Saving a byte stream as a file that appears whole or not at all: the bytes
 * go to a temporary file beside the target, renamed over it when complete.
 * The daemon runs this for `ipfs-kit get -o` so that file-sized data does not
 * cross the control socket; the caller chooses the path and the mode.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { BadRequestError } from '../errors.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface SaveFileOptions extends AbortOptions {
  /** Mode of the new file, applied whatever this process's umask. @default 0o644 */
  mode?: number
}

/** Mode of a saved file when the caller gives none: what `0o666` gives under the usual umask 022. */
export const DEFAULT_SAVE_MODE = 0o644

/**
 * Write `source` to `target` (an absolute path). Returns the bytes written.
 *
 * @example
 * const size = await saveFile(kit.storage.stream(cid), '/data/weights.bin', { mode: 0o600 })
 */
export async function saveFile (source: AsyncIterable<Uint8Array>, target: string, options: SaveFileOptions = {}): Promise<number> {
  options.signal?.throwIfAborted()
  if (!path.isAbsolute(target) || target.includes('\0')) throw new BadRequestError(`not an absolute path: ${JSON.stringify(target)}`)
  const mode = (options.mode ?? DEFAULT_SAVE_MODE) & 0o777
  // unique per call: two saves of the same target (two CLIs through one daemon) must not share a partial file
  const partial = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.part`
  const file = await fs.open(partial, 'wx', mode)
  let size = 0
  try {
    try {
      await file.chmod(mode)
      for await (const chunk of source) {
        options.signal?.throwIfAborted()
        let offset = 0
        while (offset < chunk.byteLength) offset += (await file.write(chunk, offset)).bytesWritten
        size += chunk.byteLength
      }
    } finally {
      await file.close()
    }
    await fs.rename(partial, target)
  } catch (err) {
    await fs.rm(partial, { force: true })
    throw err
  }
  return size
}
