/**
 * Writing bytes to a stream's file descriptor directly (the CLI's stdout),
 * not through the stream's queue: bytes written this way are out of the
 * caller's buffer when the call returns, so the caller can reuse it. This is
 * what lets `cat` through a daemon read the socket into one buffer again and
 * again instead of allocating one per read.
 *
 * Node puts stdout in non-blocking mode, so a full pipe answers EAGAIN; the
 * rest then goes through the stream, which waits for the reader, and the
 * caller waits for it.
 */
import fs from 'node:fs'
import type { Writable } from 'node:stream'

const guarded = new WeakSet<Sink>()

/** A stream that may say which file descriptor it writes (process.stdout does). */
export type Sink = Writable & { fd?: unknown }

/**
 * Write `bytes` to `dest`. True: written, the buffer is free. False: the
 * reader went away (EPIPE, e.g. `| head`), not an error for the caller. A
 * promise of either: the rest was copied and queued on the stream; wait for
 * it before writing more.
 *
 * @example
 * const written = writeDirect(process.stdout, chunk)
 * if (written !== true && !(await written)) return // stdout closed
 */
export function writeDirect (dest: Sink, bytes: Uint8Array): boolean | Promise<boolean> {
  let offset = 0
  // only when nothing is queued on the stream, or bytes would overtake it
  if (typeof dest.fd === 'number' && dest.writableLength === 0) {
    while (offset < bytes.byteLength) {
      try {
        offset += fs.writeSync(dest.fd, bytes, offset, bytes.byteLength - offset)
      } catch (err: any) {
        if (err?.code === 'EPIPE') return false
        if (err?.code === 'EAGAIN') break
        throw err
      }
    }
    if (offset === bytes.byteLength) return true
  }
  const rest = Buffer.from(bytes.subarray(offset))
  if (!guarded.has(dest)) {
    // a failed write is reported to its callback below and then, a tick later, as an 'error' event that must not crash us
    dest.on('error', () => {})
    guarded.add(dest)
  }
  return new Promise<boolean>((resolve, reject) => {
    dest.write(rest, (err?: Error | null) => {
      if (err == null) resolve(true)
      else if ((err as { code?: string }).code === 'EPIPE') resolve(false)
      else reject(err)
    })
  })
}
