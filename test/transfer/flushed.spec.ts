/**
 * A block's send is timed to the receiver, not to the local buffer: over a real libp2p connection
 * (TCP, noise, yamux), `writeFrame` of 1 MiB returns at the receiver's first window update, with most
 * of the frame still queued here (libp2p's `onDrain` means "may write more", not "sent"), while
 * `flushed` returns only once the receiver has taken all but the last window. The transfer
 * server's upload pacer times sends with `flushed`; timed by `writeFrame` (and a 4 MiB window),
 * 1 MiB "went out" in 0–100 ms on a 5 Mbit/s uplink and the pacer ran 14 transfers at once.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { YAMUX_MAX_STREAM_WINDOW } from '../../src/constants.ts'
import { flushed, writeFrame } from '../../src/transfer/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Stream } from '@libp2p/interface'

const PROTOCOL = '/ipfs-kit-test/flushed/1.0.0'
const BLOCK = randomBytes(1024 * 1024)
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('a send timed to the receiver', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it('flushed waits for the receiver to take all but the last window; writeFrame does not', async () => {
    expect(BLOCK.byteLength).toBeGreaterThan(2 * YAMUX_MAX_STREAM_WINDOW) // else the window alone would carry it
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false })
    const events: string[] = []
    let received = 0
    let messages = 0
    let ended!: () => void
    const done = new Promise<void>(resolve => { ended = resolve })
    // the receiver takes the first window's frame (its window update goes out), then, at the next
    // frame, stops reading for a while: no window updates meanwhile
    await (a.libp2p as NonNullable<typeof a.libp2p>).handle(PROTOCOL, (stream: Stream) => {
      let paused = false
      stream.addEventListener('message', evt => {
        received += evt.data.byteLength
        if (paused || ++messages < 2) return
        paused = true
        stream.pause()
        void sleep(1500).then(() => { events.push('receiver resumed'); stream.resume() })
      })
      stream.addEventListener('remoteCloseWrite', () => { ended() })
    })
    await b.dial(a.addresses()[0] as string)
    const stream = await (b.libp2p as NonNullable<typeof b.libp2p>).dialProtocol(a.peerId, PROTOCOL)
    await writeFrame(stream, [BLOCK])
    events.push('writeFrame returned')
    expect(stream.writeBufferLength).toBeGreaterThan(0) // most of the frame is still queued here
    let progress = 0
    await flushed(stream, { signal: AbortSignal.timeout(30_000), onProgress: () => { progress++ } })
    events.push('flushed returned')
    // the receiver's window updates after it resumed were seen as progress
    expect(progress).toBeGreaterThan(0)
    expect(stream.writeBufferLength).toBe(0)
    await stream.close()
    await done
    expect(events).toEqual(['writeFrame returned', 'receiver resumed', 'flushed returned'])
    expect(received).toBeGreaterThan(BLOCK.byteLength) // the frame and its length prefix
  }, 60_000)

  it('ends at once when the signal aborts or the stream closes', async () => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false })
    // a receiver that never reads: the sender's queue never empties
    await (a.libp2p as NonNullable<typeof a.libp2p>).handle(PROTOCOL, (stream: Stream) => { stream.pause() })
    await b.dial(a.addresses()[0] as string)
    const stream = await (b.libp2p as NonNullable<typeof b.libp2p>).dialProtocol(a.peerId, PROTOCOL)
    stream.send(BLOCK)
    await expect(flushed(stream, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' })
    const closing = flushed(stream)
    stream.abort(new Error('gone'))
    await closing // resolves: nothing more will go out
    expect(stream.status).not.toBe('open')
  }, 60_000)
})
