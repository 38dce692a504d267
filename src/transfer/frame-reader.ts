/**
 * Reading length-prefixed frames from a libp2p stream with backpressure.
 * libp2p 3 streams push 'message' events whether or not anyone keeps up, and
 * `lpStream`'s reader buffers them without bound until it aborts the stream
 * at 4 MiB. This reader pauses the stream once TRANSFER_READ_HIGH_WATER bytes
 * wait unread (yamux then stops granting the sender window) and resumes it
 * when they fall under half that, so a requester busy hashing and writing
 * never makes its provider's stream overflow, and never buffers more than
 * the high-water mark plus one yamux window (YAMUX_MAX_STREAM_WINDOW).
 */
import { decode as decodeVarint, encodingLength } from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { TRANSFER_READ_HIGH_WATER } from '../constants.ts'
import type { Stream, StreamMessageEvent } from '@libp2p/interface'

export class FrameReader {
  private readonly buffer = new Uint8ArrayList()
  private wake: (() => void) | undefined
  private ended = false
  private error: Error | undefined
  private paused = false

  constructor (private readonly stream: Stream, private readonly maxFrameBytes: number, private readonly highWater = TRANSFER_READ_HIGH_WATER) {
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onClose)
    stream.addEventListener('remoteCloseWrite', this.onEnd)
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    this.buffer.append(evt.data)
    if (!this.paused && this.buffer.byteLength >= this.highWater) {
      this.paused = true
      this.flow('pause')
    }
    this.notify()
  }

  private readonly onClose = (evt: Event & { error?: Error }): void => {
    this.error ??= evt.error
    this.ended = true
    this.notify()
  }

  private readonly onEnd = (): void => {
    this.ended = true
    this.notify()
  }

  /** Pause or resume the stream; a stream already closing can do neither, and needs neither. */
  private flow (action: 'pause' | 'resume'): void {
    if (this.stream.readStatus === 'closed' || this.stream.readStatus === 'closing') return
    this.stream[action]()
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /**
   * The next frame (without its length prefix). With `idleTimeoutMs`, fails with a TimeoutError
   * when that long passes without any bytes arriving: a slow sender that keeps sending is waited
   * for, a stalled one is not (a 1 MiB frame over a slow, shared link can take longer than that).
   *
   * @throws when the stream ends or fails first, a frame is too long, or the stream stalls
   */
  async read (options: { signal?: AbortSignal, idleTimeoutMs?: number } = {}): Promise<Uint8ArrayList> {
    while (true) {
      const frame = this.next()
      if (frame != null) {
        if (this.paused && this.buffer.byteLength < this.highWater / 2) {
          this.paused = false
          this.flow('resume')
        }
        return frame
      }
      if (this.error != null) throw this.error
      if (this.ended) throw new Error(`stream ended with ${this.buffer.byteLength} bytes of an unfinished frame`)
      options.signal?.throwIfAborted()
      // every chunk that arrives wakes this wait, so its timer measures time without bytes
      await new Promise<void>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined
        const settle = (): void => {
          clearTimeout(timer)
          options.signal?.removeEventListener('abort', onAbort)
          this.wake = undefined
        }
        const onAbort = (): void => { settle(); reject(options.signal?.reason) }
        options.signal?.addEventListener('abort', onAbort, { once: true })
        if (options.idleTimeoutMs != null) {
          const ms = options.idleTimeoutMs
          timer = setTimeout(() => { settle(); reject(new DOMException(`no bytes for ${ms} ms`, 'TimeoutError')) }, ms)
        }
        this.wake = () => { settle(); resolve() }
      })
    }
  }

  private next (): Uint8ArrayList | undefined {
    if (this.buffer.byteLength === 0) return undefined
    let length: number
    try {
      length = decodeVarint(this.buffer)
    } catch {
      if (this.buffer.byteLength > 8) throw new Error('malformed frame length')
      return undefined // the varint itself is not complete yet
    }
    if (length > this.maxFrameBytes) throw new Error(`frame of ${length} bytes is over the ${this.maxFrameBytes} limit`)
    const prefix = encodingLength(length)
    if (this.buffer.byteLength < prefix + length) return undefined
    const frame = this.buffer.sublist(prefix, prefix + length)
    this.buffer.consume(prefix + length)
    return frame
  }

  /** Stop listening (the stream is closed or handed on). */
  release (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('close', this.onClose)
    this.stream.removeEventListener('remoteCloseWrite', this.onEnd)
    if (this.paused) {
      this.flow('resume')
    }
  }
}
