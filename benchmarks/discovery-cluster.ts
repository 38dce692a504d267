/**
 * The cluster side of `npm run bench:discovery`: peer processes tracked so
 * that an interrupted run kills every one of them, a cluster started a few
 * processes at a time, small model directories, and the wait until every
 * DHT record can be found.
 */
import { once } from 'node:events'
import fs from 'node:fs/promises'
import path from 'node:path'
import { startPeer, waitForPeers } from '../peers/harness.ts'
import type { Peer, StartPeerOptions } from '../peers/harness.ts'

/** Cluster peers started at once: 2 cores compiling 10 tsx processes together would push some past the start timeout. */
const START_CONCURRENCY = 3
/** A probe lookup taking longer than this counts as not yet findable. */
const PROBE_TIMEOUT_MS = 2_000

type Log = (line: string) => void

/** Every peer process the benchmark started and has not stopped yet. */
export class PeerProcesses {
  readonly live = new Set<Peer>()

  async start (options: StartPeerOptions): Promise<Peer> {
    const peer = await startPeer(options)
    this.live.add(peer)
    return peer
  }

  async stop (peer: Peer): Promise<void> {
    await peer.stop()
    this.live.delete(peer)
  }

  /** SIGKILL every live peer; resolves once they have exited (or after `timeoutMs`). */
  async killAll (timeoutMs = 5_000): Promise<void> {
    const exits = [...this.live].map(async peer => {
      if (peer.process.exitCode == null && peer.process.signalCode == null) await once(peer.process, 'exit')
    })
    this.killAllNow()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.all(exits), new Promise(resolve => { timer = setTimeout(resolve, timeoutMs) })])
    clearTimeout(timer)
  }

  /** SIGKILL every live peer without waiting (for `process.on('exit')`). */
  killAllNow (): void {
    for (const peer of this.live) peer.process.kill('SIGKILL')
  }
}

/** Peer 0 first, the rest bootstrapped to it, a few at a time; resolves once every peer sees another. */
export async function startCluster (procs: PeerProcesses, root: string, n: number, log: Log): Promise<Peer[]> {
  const first = await procs.start({ dataDir: path.join(root, 'peer-0') })
  const peers: Peer[] = [first]
  for (let i = 1; i < n; i += START_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(START_CONCURRENCY, n - i) }, (_, j) => i + j)
    peers.push(...await Promise.all(batch.map(async idx => await procs.start({ dataDir: path.join(root, `peer-${idx}`), bootstrap: first.addresses }))))
  }
  await Promise.all(peers.slice(1).map(async peer => { await ensureConnected(peer, first.addresses[0] as string, log) }))
  await Promise.all(peers.map(async peer => await waitForPeers(peer, Math.min(1, n - 1))))
  return peers
}

/** A bootstrap dial can fail under load (ECONNRESET from a busy peer): dial once more rather than measure an isolated node. */
export async function ensureConnected (peer: Peer, address: string, log: Log): Promise<void> {
  if ((await peer.call('peers', {})).length > 0) return
  log(`  ${peer.peerId} has no connection after start; dialling ${address} again`)
  await peer.call('dial', { address }, { timeoutMs: 15_000 })
}

/**
 * Wait until a probe node (bootstrapped like a fresh one) finds every model
 * name and every file CID through the DHT alone: records are provided in the
 * background after publishing, and a miss measured before they land would
 * blame the lookup for the publisher's delay. Resolves to how many records
 * were still not findable when `capMs` ran out (0: all found).
 */
export async function waitForRecords (procs: PeerProcesses, root: string, cluster: Peer[], keys: { names: string[], cids: string[] }, capMs: number, log: Log): Promise<number> {
  const probe = await procs.start({ dataDir: path.join(root, 'probe'), bootstrap: [(cluster[0] as Peer).addresses[0] as string] })
  const deadline = Date.now() + capMs
  try {
    let missing: Array<{ name?: string, cid?: string }> = [...keys.names.map(name => ({ name })), ...keys.cids.map(cid => ({ cid }))]
    while (true) {
      const stillMissing: typeof missing = []
      // one at a time: a peer process answers its requests in order, so concurrent calls would only queue
      for (const item of missing) {
        if (Date.now() > deadline) {
          stillMissing.push(item)
          continue
        }
        const { ms } = item.name != null
          ? await probe.call('modelFirstProvider', { name: item.name, timeoutMs: PROBE_TIMEOUT_MS, sources: ['dht'] }, { timeoutMs: PROBE_TIMEOUT_MS + 10_000 })
          : await probe.call('cidFirstProvider', { cid: item.cid as string, timeoutMs: PROBE_TIMEOUT_MS }, { timeoutMs: PROBE_TIMEOUT_MS + 10_000 })
        if (ms == null) stillMissing.push(item)
      }
      missing = stillMissing
      if (missing.length === 0) return 0
      if (Date.now() > deadline) {
        log(`⚠ ${missing.length} DHT records still not findable after ${capMs / 1000} s; measuring anyway`)
        return missing.length
      }
      log(`  waiting for ${missing.length} DHT records…`)
      await new Promise(resolve => setTimeout(resolve, 1_000))
    }
  } finally {
    await procs.stop(probe)
  }
}

/** A small model: a config naming it (so every model has its own root), a tokenizer and 4 KiB of weights. */
export async function modelDir (root: string, name: string): Promise<string> {
  const dir = path.join(root, 'models', name)
  await fs.mkdir(dir, { recursive: true })
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ name, hidden_size: 64 }))
  await fs.writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify({ vocab: ['a', 'b', name] }))
  await fs.writeFile(path.join(dir, 'model.safetensors'), Buffer.alloc(4096, name))
  return dir
}
