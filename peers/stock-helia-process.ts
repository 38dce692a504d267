/**
 * A stock Helia 7 node with no ipfs-kit code: blockstore-fs, datastore-level,
 * libp2p with TCP, noise, yamux, identify and bitswap, files added with
 * @helia/unixfs. The baseline of the transfer benchmark and the other side of
 * the bitswap interop tests. It also serves and fetches a raw libp2p stream
 * of a file's bytes on the same stack (the ceiling of the transfer benchmark).
 * Driven like peer-process.ts: prints `ready`, then answers JSON lines.
 *
 * Usage: tsx peers/stock-helia-process.ts '<json { dataDir, listen }>'
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { unixfs } from '@helia/unixfs'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { FsBlockstore } from 'blockstore-fs'
import { LevelDatastore } from 'datastore-level'
import { createHeliaLight } from 'helia'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { CID } from 'multiformats/cid'
import { cpuMs, send, serveRequests } from './line-server.ts'
import type { Handler } from './line-server.ts'

export interface StockHeliaInit {
  dataDir: string
  listen: string[]
}

/** The raw-stream protocol of the benchmark ceiling: the server writes a file's bytes and closes. */
export const RAW_PROTOCOL = '/ipfs-kit-bench/raw/1.0.0'

export interface StockOperations {
  /** Add a file (Kubo's unixfs-v1-2025 profile options, so the CID equals ipfs-kit's). */
  add: { args: { path: string }, result: string }
  /** Read a file by CID (over bitswap when missing), optionally into `path`; size and sha256. */
  cat: { args: { cid: string, path?: string }, result: { bytes: number, sha256: string } }
  /** Serve `path` as a raw stream on RAW_PROTOCOL. */
  rawServe: { args: { path: string }, result: true }
  /** Read the raw stream a peer serves; size and sha256. */
  rawFetch: { args: { peer: string }, result: { bytes: number, sha256: string } }
  dial: { args: { address: string }, result: true }
  peers: { args: Record<string, never>, result: string[] }
  rss: { args: Record<string, never>, result: { peak: number, now: number, cpuMs: number } }
  stop: { args: Record<string, never>, result: true }
}

async function main (): Promise<void> {
  const init = JSON.parse(process.argv[2] ?? '{}') as StockHeliaInit
  const blockstore = new FsBlockstore(`${init.dataDir}/blocks`)
  const datastore = new LevelDatastore(`${init.dataDir}/datastore`)
  await blockstore.open()
  await datastore.open()
  const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore, datastore }), {
    addresses: { listen: init.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() }
  }))
  await helia.start()
  const libp2p = helia.libp2p
  const fs = unixfs(helia)

  const ops: Record<keyof StockOperations, Handler> = {
    add: async ({ path }) => {
      const cid = await fs.addByteStream(createReadStream(path, { highWaterMark: 1024 * 1024 }), {
        cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 1024 * 1024 }), layout: balanced({ maxChildrenPerNode: 1024 }), reduceSingleLeafToSelf: true
      })
      return cid.toString()
    },
    cat: async ({ cid, path }) => {
      const hash = createHash('sha256')
      const out = path == null ? undefined : createWriteStream(path)
      let bytes = 0
      for await (const chunk of fs.cat(CID.parse(cid))) {
        hash.update(chunk)
        bytes += chunk.byteLength
        if (out != null && !out.write(chunk)) await once(out, 'drain')
      }
      out?.end()
      if (out != null) await once(out, 'finish')
      return { bytes, sha256: hash.digest('hex') }
    },
    rawServe: async ({ path }) => {
      await libp2p.handle(RAW_PROTOCOL, async stream => {
        for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
          if (!stream.send(chunk)) await stream.onDrain()
        }
        await stream.close()
      })
      return true
    },
    rawFetch: async ({ peer }) => {
      const stream = await libp2p.dialProtocol(peerIdFromString(peer), RAW_PROTOCOL)
      const hash = createHash('sha256')
      let bytes = 0
      for await (const chunk of stream) {
        const data = chunk.subarray()
        hash.update(data)
        bytes += data.byteLength
      }
      return { bytes, sha256: hash.digest('hex') }
    },
    dial: async ({ address }) => {
      await libp2p.dial(multiaddr(address))
      return true
    },
    peers: async () => libp2p.getPeers().map(p => p.toString()),
    rss: async () => ({ peak: process.resourceUsage().maxRSS * 1024, now: process.memoryUsage.rss(), cpuMs: cpuMs() }),
    stop: async () => {
      await helia.stop()
      setImmediate(() => process.exit(0))
      return true
    }
  }

  send({ event: 'ready', peerId: libp2p.peerId.toString(), addresses: libp2p.getMultiaddrs().map(ma => ma.toString()), dataDir: init.dataDir, pid: process.pid })
  await serveRequests(ops)
  await helia.stop()
  process.exit(0)
}

await main()
