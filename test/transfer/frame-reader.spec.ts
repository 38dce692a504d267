/**
 * The requester's frame reader times out a provider that stalls, not one
 * that is slow: over a real libp2p connection, a frame trickled in small
 * pieces for longer than the idle timeout is read whole, and a frame whose
 * sender stops halfway fails with a TimeoutError.
 */
import { randomBytes } from 'node:crypto'
import { encode as encodeVarint } from 'uint8-varint'
import { afterEach, describe, expect, it } from 'vitest'
import { FrameReader } from '../../src/transfer/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Stream } from '@libp2p/interface'

const TRICKLE = '/ipfs-kit-test/trickle/1.0.0'
const STALL = '/ipfs-kit-test/stall/1.0.0'
const FRAME = randomBytes(256 * 1024)
const PIECE = 16 * 1024
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Send the length prefix and then `FRAME`'s first `upTo` bytes in pieces, `gapMs` apart. */
async function trickle (stream: Stream, upTo: number, gapMs: number): Promise<void> {
  stream.send(encodeVarint(FRAME.byteLength))
  for (let at = 0; at < upTo; at += PIECE) {
    await sleep(gapMs)
    stream.send(FRAME.subarray(at, Math.min(at + PIECE, upTo)))
  }
}

describe('transfer frame reader', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it('waits for a slow sender that keeps sending, and times out one that stalls', async () => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false })
    const server = a.libp2p as NonNullable<typeof a.libp2p>
    await server.handle(TRICKLE, async (stream: Stream) => { await trickle(stream, FRAME.byteLength, 100); await stream.close() })
    await server.handle(STALL, async (stream: Stream) => { await trickle(stream, FRAME.byteLength / 2, 10); await sleep(5_000); stream.abort(new Error('done')) })
    await b.dial(a.addresses()[0] as string)
    const client = b.libp2p as NonNullable<typeof b.libp2p>

    const slow = new FrameReader(await client.dialProtocol(a.peerId, TRICKLE), FRAME.byteLength)
    const started = Date.now()
    const frame = await slow.read({ idleTimeoutMs: 500 })
    // 16 pieces 100 ms apart: far longer than the idle timeout in all
    expect(Date.now() - started).toBeGreaterThan(1_000)
    expect(Buffer.from(frame.subarray()).equals(FRAME)).toBe(true)
    slow.release()

    const stalled = new FrameReader(await client.dialProtocol(a.peerId, STALL), FRAME.byteLength)
    await expect(stalled.read({ idleTimeoutMs: 500 })).rejects.toMatchObject({ name: 'TimeoutError' })
    stalled.release()
  }, 60_000)
})
