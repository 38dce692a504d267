/**
 * A seed and workers in network namespaces (lib/netns.ts), for the
 * bench:fanout and bench:datasets cases: started, connected as a full mesh (or
 * to the seed alone, with `seedOnly`: config `node.allow_list`), timed from a
 * common start, stopped.
 */
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import type { Network } from './netns.ts'
import type { Peer } from '../../peers/harness.ts'

/** Worker processes started at once. */
const START_AT_ONCE = 2
/** Mesh dials in flight at once. */
const DIALS_AT_ONCE = 4

export interface Swarm {
  seed: Peer
  workers: Peer[]
  /** Bytes the seed's interface has sent so far. */
  seedSent(): number
  stop(): Promise<void>
}

/** Start the seed on the network's first host, let `prepare` publish, then start one worker per other host. */
export async function startSwarm (net: Network, options: { seedOnly: boolean, prepare(seed: Peer): Promise<void>, transferVersions?: string[] }): Promise<Swarm> {
  const [seedHost, ...workerHosts] = net.hosts
  if (seedHost == null) throw new Error('no hosts')
  const peers: Peer[] = []
  const stop = async (): Promise<void> => { await Promise.all(peers.map(async p => { await p.stop().catch(() => {}) })) }
  try {
    const seed = await startPeer({ netns: seedHost.ns, listen: [`/ip4/${seedHost.ip}/tcp/0`], transferVersions: options.transferVersions })
    peers.push(seed)
    await options.prepare(seed)
    // a few at a time: two dozen node processes starting at once on a loaded 2-core machine
    // overran the harness's start timeout (4 at once did too, at 24 workers)
    const workers: Peer[] = []
    for (let i = 0; i < workerHosts.length; i += START_AT_ONCE) {
      const started = await Promise.all(workerHosts.slice(i, i + START_AT_ONCE).map(async host => await startPeer({
        netns: host.ns,
        listen: [`/ip4/${host.ip}/tcp/0`],
        bootstrap: seed.addresses,
        allowList: options.seedOnly ? [seed.peerId] : undefined,
        transferVersions: options.transferVersions
      })))
      workers.push(...started)
      peers.push(...started)
    }
    if (!options.seedOnly) {
      // a full mesh, as a LAN cluster's DHT and gossip would make it; a few dials at a time, each
      // tried again once: 276 Noise handshakes at once (24 workers) timed out on 2 loaded cores
      const dials = workers.flatMap((w, i) => workers.slice(i + 1).map(other => ({ w, address: other.addresses[0] as string })))
      await Promise.all(Array.from({ length: DIALS_AT_ONCE }, async () => {
        for (let d = dials.shift(); d != null; d = dials.shift()) {
          const { w, address } = d
          await w.call('dial', { address }).catch(async () => await w.call('dial', { address }))
        }
      }))
      await Promise.all(workers.map(async w => await waitForPeers(w, workers.length, 30_000)))
    } else {
      await Promise.all(workers.map(async w => await waitForPeers(w, 1, 30_000)))
    }
    return { seed, workers, seedSent: () => net.txBytes(seedHost), stop }
  } catch (err) {
    await stop()
    throw err
  }
}

export interface Timed<T> {
  /** Seconds from the common start to each worker's completion (null: failed). */
  seconds: Array<number | null>
  results: Array<T | undefined>
  /** The slowest, or null when any failed. */
  allDone: number | null
  errors: string[]
}

/** Run `task` on every worker at once; time each from the common start. */
export async function timeAll<T> (workers: Peer[], task: (worker: Peer, index: number) => Promise<T>): Promise<Timed<T>> {
  const t0 = performance.now()
  const errors: string[] = []
  const results: Array<T | undefined> = []
  const seconds = await Promise.all(workers.map(async (w, i) => {
    try {
      results[i] = await task(w, i)
      return (performance.now() - t0) / 1000
    } catch (err: any) {
      errors.push(err.message)
      return null
    }
  }))
  const done = seconds.filter((t): t is number => t != null)
  return { seconds, results, allDone: done.length === seconds.length ? Math.max(...done) : null, errors }
}
