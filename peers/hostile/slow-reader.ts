/**
 * Slow readers: `identities` libp2p nodes of our own, each keeping `streams`
 * transfer streams open to a target, each asking TRANSFER_MAX_BLOCKS_PER_REQUEST
 * copies of a large block and then reading a trickle: the stream is paused,
 * and resumed for a moment every `trickleMs` (just enough that the server's
 * send timeout never fires). A stream that ends is opened again.
 */
import { noise } from '@libp2p/noise'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { TRANSFER_MAX_BLOCKS_PER_REQUEST, TRANSFER_PROTOCOL } from '../../src/constants.ts'
import { encodeRequest, writeFrame } from '../../src/transfer/index.ts'
import type { Libp2p } from '@libp2p/interface'

export interface SlowReadInit {
  address: string
  cid: string
  identities: number
  streams: number
  /** @default 2000 */
  trickleMs?: number
}

export interface SlowReaders {
  /** Streams open now. */
  open(): number
  /** Streams opened since the start. */
  opened(): number
  stop(): Promise<void>
}

export async function startSlowReaders (init: SlowReadInit): Promise<SlowReaders> {
  const target = multiaddr(init.address)
  const cid = CID.parse(init.cid)
  const request = encodeRequest(Array.from({ length: TRANSFER_MAX_BLOCKS_PER_REQUEST }, () => cid))
  const nodes: Libp2p[] = await Promise.all(Array.from({ length: init.identities }, async () => await createLibp2p({
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  }) as unknown as Libp2p))
  let stopped = false
  let open = 0
  let opened = 0
  const hold = async (node: Libp2p): Promise<void> => {
    while (!stopped) {
      try {
        const stream = await node.dialProtocol(target, TRANSFER_PROTOCOL)
        open++
        opened++
        try {
          stream.pause()
          await writeFrame(stream, [request])
          const ended = new Promise<void>(resolve => { stream.addEventListener('close', () => { resolve() }, { once: true }) })
          while (!stopped && stream.status === 'open') {
            await Promise.race([ended, new Promise(resolve => setTimeout(resolve, init.trickleMs ?? 2000))])
            if (stream.status !== 'open') break
            stream.resume()
            await new Promise(resolve => setTimeout(resolve, 5))
            stream.pause()
          }
          stream.abort(new Error('done'))
        } finally {
          open--
        }
      } catch {
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    }
  }
  const loops = nodes.flatMap(node => Array.from({ length: init.streams }, async () => { await hold(node) }))
  return {
    open: () => open,
    opened: () => opened,
    stop: async () => {
      stopped = true
      await Promise.all(nodes.map(async n => { await n.stop() }))
      await Promise.allSettled(loops)
    }
  }
}
