import { once } from 'node:events'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { coalesceReads } from '../../src/node/read-coalescing.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** A connected pair of loopback TCP sockets: `sender` writes, `receiver` reads. */
async function socketPair (): Promise<{ sender: net.Socket, receiver: net.Socket, close(): void }> {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  const accepted = once(server, 'connection')
  const sender = net.connect(port, '127.0.0.1')
  await once(sender, 'connect')
  const [receiver] = await accepted as [net.Socket]
  sender.setNoDelay(true)
  return { sender, receiver, close: () => { sender.destroy(); receiver.destroy(); server.close() } }
}

let pairs: Array<{ close(): void }> = []
afterEach(() => {
  for (const p of pairs) p.close()
  pairs = []
})

describe('read coalescing', () => {
  it('reads what arrives during the pause in one read, every byte in order, then reads a lone message at once', async () => {
    const pair = await socketPair()
    pairs.push(pair)
    const { sender, receiver } = pair
    // a long delay and a wide burst window: which reads are coalesced does not depend on the machine's load
    expect(coalesceReads(receiver, { delayMs: 1_000, burstMs: 60_000 })).toBe(true)
    const chunks: Buffer[] = []
    receiver.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    const waitFor = async (bytes: number): Promise<void> => {
      while (chunks.reduce((n, c) => n + c.byteLength, 0) < bytes) await sleep(5)
    }
    // two small reads in a row: the second stops reading for delayMs
    sender.write(Buffer.alloc(100, 1))
    await waitFor(100)
    sender.write(Buffer.alloc(100, 2))
    await waitFor(200)
    const before = chunks.length
    // ten writes while reading is stopped: read together when it restarts
    for (let i = 0; i < 10; i++) {
      sender.write(Buffer.alloc(100, 10 + i))
      await sleep(10)
    }
    await waitFor(1200)
    expect(chunks.length - before).toBe(1)
    const all = Buffer.concat(chunks)
    const expected = Buffer.concat([Buffer.alloc(100, 1), Buffer.alloc(100, 2), ...Array.from({ length: 10 }, (_, i) => Buffer.alloc(100, 10 + i))])
    expect(all.equals(expected)).toBe(true)
  })

  it('a lone small read does not stop reading (no burst): an answer after a pause arrives without the delay', async () => {
    const pair = await socketPair()
    pairs.push(pair)
    const { sender, receiver } = pair
    // burstMs 0: no gap counts as a burst, so reads are never stopped however long delayMs is
    coalesceReads(receiver, { delayMs: 60_000, burstMs: 0 })
    let received = 0
    receiver.on('data', (chunk: Buffer) => { received += chunk.byteLength })
    for (let i = 1; i <= 5; i++) {
      sender.write(Buffer.alloc(10))
      while (received < 10 * i) await sleep(2)
    }
    expect(received).toBe(50)
  })

  it('leaves a socket its owner paused alone: no data while paused, all of it after resume', async () => {
    const pair = await socketPair()
    pairs.push(pair)
    const { sender, receiver } = pair
    coalesceReads(receiver, { delayMs: 50, burstMs: 60_000 })
    let received = 0
    receiver.on('data', (chunk: Buffer) => { received += chunk.byteLength })
    sender.write(Buffer.alloc(10))
    while (received < 10) await sleep(2)
    sender.write(Buffer.alloc(10))
    while (received < 20) await sleep(2)
    // reading is stopped now; the owner pauses the socket before the restart
    receiver.pause()
    sender.write(Buffer.alloc(1000))
    await sleep(200)
    expect(received).toBe(20)
    receiver.resume()
    while (received < 1020) await sleep(2)
    expect(received).toBe(1020)
  })

  it('a megabyte sent in small writes arrives whole', async () => {
    const pair = await socketPair()
    pairs.push(pair)
    const { sender, receiver } = pair
    coalesceReads(receiver, { delayMs: 5, burstMs: 60_000 })
    const chunks: Buffer[] = []
    receiver.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    const data = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => (i * 7) % 251))
    for (let offset = 0; offset < data.byteLength; offset += 1400) {
      if (!sender.write(data.subarray(offset, offset + 1400))) await once(sender, 'drain')
      if (offset % (64 * 1400) === 0) await sleep(1)
    }
    sender.end()
    await once(receiver, 'end')
    expect(Buffer.concat(chunks).equals(data)).toBe(true)
  })
})
