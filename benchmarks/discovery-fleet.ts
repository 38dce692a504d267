/**
 * The fleet of `npm run bench:discovery -- --nodes N`: N nodes spread over a
 * few host processes (benchmarks/discovery-scale-host.ts), each node
 * bootstrapped to two random nodes started before it; every host killed on
 * exit. Also the measured heap cost of one provider-index entry.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ProviderIndex } from '../src/named/provider-index.ts'
import { rootOf } from './lib/scale-node.ts'
import type { HostRequest, HostStats } from './discovery-scale-host.ts'
import type { ScaleNodeInit } from './lib/scale-node.ts'
import type { ChildProcess } from 'node:child_process'

const HOST = fileURLToPath(new URL('./discovery-scale-host.ts', import.meta.url))
/** Nodes started at once (each generates a key, listens and dials two peers). */
const START_BATCH = 10

export class Host {
  private readonly child: ChildProcess
  private next = 0
  private readonly pending = new Map<number, { resolve(v: any): void, reject(e: Error): void }>()

  constructor () {
    this.child = fork(HOST, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=8192', ...(process.env.DISCOVERY_BENCH_PROF != null ? ['--cpu-prof', `--cpu-prof-dir=${process.env.DISCOVERY_BENCH_PROF}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child.on('message', (msg: { id: number, value?: unknown, error?: string }) => {
      const p = this.pending.get(msg.id)
      this.pending.delete(msg.id)
      if (msg.error != null) p?.reject(new Error(msg.error))
      else p?.resolve(msg.value)
    })
    this.child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('host process exited'))
      this.pending.clear()
    })
  }

  async call<T> (req: HostRequest): Promise<T> {
    const id = this.next++
    return await new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ id, req })
    })
  }

  kill (): void {
    if (this.child.exitCode == null) this.child.kill('SIGKILL')
  }

  async stop (): Promise<void> {
    const exited = new Promise(resolve => { if (this.child.exitCode != null) resolve(null); else this.child.once('exit', resolve) })
    await this.call({ op: 'stop' }).catch(() => {})
    // a host exits by itself once its nodes are stopped (writing its CPU profile, when asked for one)
    await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 10_000).unref())])
    this.kill()
  }
}

export interface FleetInit {
  nodes: number
  hosts: number
  /** Models each node holds, out of `catalogue`. */
  modelsPerNode: number
  catalogue: string[]
  announce: ScaleNodeInit['announce']
  index: ScaleNodeInit['index']
  floodPublish?: boolean
}

export class Fleet {
  readonly hosts: Host[]
  readonly addresses: string[] = []

  constructor (private readonly init: FleetInit) {
    this.hosts = Array.from({ length: init.hosts }, () => new Host())
  }

  /** Node i holds catalogue entries i·m … i·m + m − 1 (mod the catalogue): every model held by about N·m / catalogue nodes. */
  modelsOf (i: number): string[] {
    const { modelsPerNode: m, catalogue } = this.init
    return Array.from({ length: m }, (_, j) => catalogue[(i * m + j) % catalogue.length] as string)
  }

  /**
   * `discovery`: every node starts discovery right after its libp2p node, as a kit does, and the
   * fleet starts at most 5 nodes a second (a rolling start). Otherwise the whole fleet connects
   * first and startDiscovery() follows: every node then meets all its ~30–50 peers already
   * connected, which no real start does (each of them announces for it: a storm of N × peers).
   */
  async start (log: (line: string) => void, discovery = false): Promise<void> {
    const init = (k: number, bootstrap: string[]): ScaleNodeInit => ({ models: this.modelsOf(k), bootstrap, announce: this.init.announce, index: this.init.index, connectionMonitor: false, floodPublish: this.init.floodPublish })
    this.addresses.push(...await (this.hosts[0] as Host).call<string[]>({ op: 'start', nodes: [init(0, [])], discovery }))
    for (let i = 1; i < this.init.nodes; i += START_BATCH) {
      const batchStarted = Date.now()
      const known = [...this.addresses]
      const perHost = new Map<number, ScaleNodeInit[]>()
      for (let k = i; k < Math.min(i + START_BATCH, this.init.nodes); k++) {
        const h = k % this.hosts.length
        perHost.set(h, [...(perHost.get(h) ?? []), init(k, pick(known, 2))])
      }
      const started = await Promise.all([...perHost].map(async ([h, nodes]) => await (this.hosts[h] as Host).call<string[]>({ op: 'start', nodes, discovery })))
      this.addresses.push(...started.flat())
      const pace = START_BATCH * 200 - (Date.now() - batchStarted)
      if (discovery && pace > 0) await new Promise(resolve => setTimeout(resolve, pace))
      if (this.addresses.length % 50 === 1 || this.addresses.length === this.init.nodes) log(`  ${this.addresses.length}/${this.init.nodes} nodes up`)
    }
  }

  /** Every node starts discovery, spread evenly over `rampMs` (a fleet's nodes do not all start in the same second). */
  async startDiscovery (rampMs: number): Promise<void> {
    const spacingMs = rampMs / Math.max(1, Math.ceil(this.init.nodes / this.hosts.length))
    await Promise.all(this.hosts.map(async h => await h.call({ op: 'discovery', spacingMs })))
  }

  async stats (): Promise<HostStats[]> {
    return await Promise.all(this.hosts.map(async h => await h.call<HostStats>({ op: 'stats' })))
  }

  async stop (): Promise<void> {
    await Promise.all(this.hosts.map(async h => { await h.stop() }))
  }

  kill (): void {
    for (const h of this.hosts) h.kill()
  }
}

export function pick<T> (items: T[], n: number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out.slice(0, n)
}

/**
 * Heap bytes per provider-index entry, measured: an index filled with
 * `count` entries shaped like the fleet's (real peer ids, two loopback
 * addresses, a real root CID, `org-i/model-j` names), heap used after a full
 * GC compared with before.
 */
export async function bytesPerIndexEntry (count = 4_000): Promise<number> {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const peers = await Promise.all(Array.from({ length: 200 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  const names = Array.from({ length: count / 20 }, (_, i) => `org-${i % 10}/model-${i}`)
  const roots = await Promise.all(names.map(rootOf))
  gc()
  const before = process.memoryUsage().heapUsed
  const index = new ProviderIndex(60_000, { maxEntries: count, maxPerName: 20, maxPerPeer: count })
  for (let k = 0; k < count; k++) {
    const n = Math.floor(k / 20)
    const peerId = peers[(k * 7) % peers.length] as string
    // strings built afresh, as JSON.parse makes them for every message received
    index.add(`${names[n] as string}`.slice(0), { peerId: `${peerId} `.trim(), addresses: [`/ip4/127.0.0.1/tcp/${40000 + k % 1000}/p2p/${peerId}`, `/ip4/127.0.0.1/tcp/${41000 + k % 1000}`], root: `${roots[n] as string} `.trim(), revision: 'main', via: 'gossip' })
  }
  gc()
  const after = process.memoryUsage().heapUsed
  if (index.size !== count) throw new Error(`index holds ${index.size} entries, expected ${count}`)
  return (after - before) / count
}
