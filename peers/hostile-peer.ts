/**
 * A hostile peer: a real OS process running an ipfs-kit node that, asked by
 * the harness, misbehaves in one of the ways issue 12 bounds — serves a
 * manifest bomb, floods provider indexes, or holds transfer slots by reading
 * slowly. Driven like peers/peer-process.ts (JSON lines; peers/harness.ts
 * `startHostilePeer`).
 *
 * Usage: tsx peers/hostile-peer.ts '<json PeerProcessInit>'
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createKit } from '../src/index.ts'
import { cpuMs, errorShape, send, serveRequests } from './line-server.ts'
import { buildBomb } from './hostile/bomb.ts'
import { flood } from './hostile/flood.ts'
import { answerModels, askIndexUnbounded } from './hostile/models-answers.ts'
import { startSlowReaders } from './hostile/slow-reader.ts'
import type { BombInit } from './hostile/bomb.ts'
import type { FloodInit } from './hostile/flood.ts'
import type { SlowReaders, SlowReadInit } from './hostile/slow-reader.ts'
import type { Handler } from './line-server.ts'
import type { PeerProcessInit } from './peer-process.ts'
import type { Kit } from '../src/index.ts'

export interface HostileOperations {
  /** Build a manifest bomb and answer models requests for `name` with it. */
  bomb: { args: BombInit, result: { root: string, describedBytes: number, blockBytes: number } }
  /** Flood the provider index of the peer at `address`. */
  flood: { args: FloodInit, result: { entriesSent: number, asked: number } }
  /** Ask a peer's `index` with no size limit: the answer's bytes and whether `name` is in it. */
  indexOf: { args: { peerId: string, name: string }, result: { bytes: number, entries: number, has: boolean } }
  /** Start slow readers against `address` (in the background). */
  slowRead: { args: SlowReadInit, result: true }
  /** Transfer streams the slow readers hold open now, and opened since they started. */
  slowOpen: { args: Record<string, never>, result: { open: number, opened: number } }
  dial: { args: { address: string }, result: true }
  peers: { args: Record<string, never>, result: string[] }
  rss: { args: Record<string, never>, result: { peak: number, now: number, cpuMs: number } }
  stop: { args: Record<string, never>, result: true }
}

function handlers (kit: Kit): Record<keyof HostileOperations, Handler> {
  let readers: SlowReaders | undefined
  const libp2p = (): NonNullable<Kit['libp2p']> => {
    if (kit.libp2p == null) throw new Error('a hostile peer needs libp2p')
    return kit.libp2p
  }
  return {
    bomb: async (init: BombInit) => {
      const bomb = await buildBomb(kit, init)
      const model = { name: init.name, revision: 'main', root: bomb.root.toString() }
      const self = { peerId: kit.peerId.toString(), addresses: kit.addresses() }
      await answerModels(libp2p(), request => request.op === 'index' ? { providers: [{ ...model, ...self }] } : { models: [model], referrals: [] })
      return { ...bomb, root: bomb.root.toString() }
    },
    flood: async (init: FloodInit) => await flood(kit, init),
    indexOf: async ({ peerId, name }: { peerId: string, name: string }) => {
      const { bytes, providers } = await askIndexUnbounded(libp2p(), peerIdFromString(peerId))
      return { bytes, entries: providers.length, has: providers.some(p => p.name === name) }
    },
    slowRead: async (init: SlowReadInit) => {
      readers = await startSlowReaders(init)
      return true
    },
    slowOpen: async () => ({ open: readers?.open() ?? 0, opened: readers?.opened() ?? 0 }),
    dial: async ({ address }: { address: string }) => {
      await libp2p().dial(multiaddr(address))
      return true
    },
    peers: async () => libp2p().getPeers().map(p => p.toString()),
    rss: async () => ({ peak: process.resourceUsage().maxRSS * 1024, now: process.memoryUsage.rss(), cpuMs: cpuMs() }),
    stop: async () => {
      await readers?.stop()
      await kit.stop()
      setImmediate(() => process.exit(0))
      return true
    }
  }
}

async function main (): Promise<void> {
  const init = JSON.parse(process.argv[2] ?? '{}') as PeerProcessInit
  let kit: Kit
  try {
    kit = await createKit({ dataDir: init.dataDir, listen: init.listen, bootstrap: init.bootstrap, configFile: init.configFile })
  } catch (err) {
    send({ event: 'error', error: errorShape(err) })
    process.exit(1)
  }
  send({ event: 'ready', peerId: kit.peerId.toString(), addresses: kit.addresses(), dataDir: kit.dataDir, pid: process.pid })
  await serveRequests(handlers(kit))
  await kit.stop()
  process.exit(0)
}

await main()
