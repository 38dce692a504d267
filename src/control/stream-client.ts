/**
 * The CLI side of the framed byte stream (protocol.ts): one connection,
 * upgraded to STREAM_PROTOCOL, read into one reused buffer whose data frames
 * are written straight to the destination's file descriptor. When that is
 * full, reading pauses until the destination has taken the bytes.
 */
import net from 'node:net'
import { RemoteError } from './errors.ts'
import { writeDirect } from './fd-writer.ts'
import type { Sink } from './fd-writer.ts'
import { FRAME_DATA, FRAME_END, FRAME_HEADER_BYTES, MAX_END_FRAME_BYTES, STREAM_PROTOCOL, parseErrorShape } from './protocol.ts'

/** Size of the buffer the socket is read into; a Unix socket rarely holds more at once. */
const READ_BUFFER_BYTES = 1024 * 1024

/** Longest `101` answer head accepted. */
const MAX_HEAD_BYTES = 16 * 1024

export interface StreamToFdOptions {
  socketPath: string
  /** The operation's request path (`operationPath('cat', args)`). */
  requestPath: string
  dest: Sink
  signal?: AbortSignal
}

/**
 * Run a streaming operation and write its bytes to `dest`. True at the end
 * frame; false when `dest`'s reader went away. Rejects with the daemon's error
 * (RemoteError), or a plain Error when the connection fails or ends early.
 */
export async function streamTo (options: StreamToFdOptions): Promise<boolean> {
  const { dest, signal } = options
  signal?.throwIfAborted()
  return await new Promise<boolean>((resolve, reject) => {
    let head: Buffer | undefined = Buffer.alloc(0)
    const header = Buffer.alloc(FRAME_HEADER_BYTES)
    let headerBytes = 0
    let type = -1
    let remaining = 0
    const end: Buffer[] = []
    let settled = false

    const finish = (err: unknown, value = false): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      if (err != null) reject(err)
      else resolve(value)
    }
    const onAbort = (): void => { finish(signal?.reason) }

    const ended = (): void => {
      let body: { error?: unknown }
      try {
        body = JSON.parse(Buffer.concat(end).toString('utf8'))
      } catch {
        finish(new Error('unreadable end of stream from the daemon'))
        return
      }
      if (body.error != null) finish(new RemoteError(parseErrorShape(body.error)))
      else finish(undefined, true)
    }

    /** Frames in buf[pos, n); false stops reading (done, failed or fd closed). */
    const frames = (buf: Buffer, pos: number, n: number): boolean => {
      while (pos < n) {
        if (type < 0) {
          const take = Math.min(FRAME_HEADER_BYTES - headerBytes, n - pos)
          buf.copy(header, headerBytes, pos, pos + take)
          headerBytes += take
          pos += take
          if (headerBytes < FRAME_HEADER_BYTES) return true
          headerBytes = 0
          type = header.readUInt8(0)
          remaining = header.readUInt32BE(1)
          if (type !== FRAME_DATA && type !== FRAME_END) {
            finish(new Error(`unknown frame type ${type} from the daemon`))
            return false
          }
          if (type === FRAME_END && remaining > MAX_END_FRAME_BYTES) {
            finish(new Error('end frame from the daemon too large'))
            return false
          }
        }
        const take = Math.min(remaining, n - pos)
        const start = pos
        pos += take
        remaining -= take
        if (type === FRAME_END) {
          // copied: the read buffer is reused
          end.push(Buffer.from(buf.subarray(start, pos)))
          if (remaining === 0) {
            ended()
            return false
          }
          continue
        }
        if (remaining === 0) type = -1
        if (take === 0) continue
        const written = writeDirect(dest, buf.subarray(start, pos))
        if (written === false) {
          finish(undefined, false)
          return false
        }
        if (written !== true) {
          // the destination is full: keep what is left of this read, and read on once it is written
          const rest = Buffer.from(buf.subarray(pos, n))
          written.then(ok => {
            if (!ok) finish(undefined, false)
            else if (frames(rest, 0, rest.byteLength) && !settled) socket.resume()
          }, err => { finish(err) })
          return false
        }
      }
      return true
    }

    const onRead = (n: number, buf: Buffer): boolean => {
      if (settled) return false
      try {
        if (head == null) return frames(buf, 0, n)
        head = Buffer.concat([head, buf.subarray(0, n)])
        const blank = head.indexOf('\r\n\r\n')
        if (blank < 0) {
          if (head.byteLength <= MAX_HEAD_BYTES) return true
          finish(new Error('no answer head from the daemon'))
          return false
        }
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1')
        if (!status.startsWith('HTTP/1.1 101 ')) {
          finish(new Error(`the daemon does not stream (${status}): it is an older ipfs-kit; restart it`))
          return false
        }
        const rest = Buffer.from(head.subarray(blank + 4))
        head = undefined
        return frames(rest, 0, rest.byteLength)
      } catch (err) {
        finish(err)
        return false
      }
    }

    const socket = net.connect({ path: options.socketPath, onread: { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: onRead } })
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.on('error', err => { finish(err) })
    socket.on('close', () => { finish(new Error('the daemon closed the stream before its end')) })
    socket.write(`POST ${options.requestPath} HTTP/1.1\r\nHost: control\r\nConnection: Upgrade\r\nUpgrade: ${STREAM_PROTOCOL}\r\nContent-Length: 0\r\n\r\n`)
  })
}
