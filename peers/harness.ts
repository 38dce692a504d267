/**
 * The local cluster harness: start N real ipfs-kit node processes on
 * loopback, each with its own data directory, bootstrapped to the first; wait
 * until they see each other; tear them down.
 *
 * @example
 * const cluster = await startCluster({ peers: 3 })
 * const cid = await cluster.peers[0].call('store', { path: '/tmp/file' })
 * await cluster.stop()
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { closeSync, existsSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { DAEMON_NODE_FLAGS } from '../src/constants.ts'
import { builtPath, childRuntime } from './runtime.ts'
import type { PeerProcessInit } from './peer-process.ts'
import type { HostileOperations } from './hostile-peer.ts'
import type { StockHeliaInit, StockOperations } from './stock-helia-process.ts'
import type { ErrorShape, Operations, ProgressMessage, ReadyMessage, Response, StartErrorMessage } from './protocol.ts'
import type { ChildProcess } from 'node:child_process'

const PEER_ENTRY = fileURLToPath(new URL('./peer-process.ts', import.meta.url))

/** How long a peer may take to print `ready` (IPFS_KIT_PEER_START_TIMEOUT_MS: more for benchmarks starting dozens of processes). */
export const PEER_START_TIMEOUT_MS = Number(process.env.IPFS_KIT_PEER_START_TIMEOUT_MS ?? 30_000)

export class PeerError extends Error {
  override readonly name: string
  readonly code: string | undefined
  constructor (shape: ErrorShape) {
    super(shape.message)
    this.name = shape.name
    this.code = shape.code
  }
}

export interface StartPeerOptions {
  /** Data directory; a new temp directory (removed by `stop`) when absent. */
  dataDir?: string
  /** @default ['/ip4/127.0.0.1/tcp/0'] */
  listen?: string[]
  bootstrap?: string[]
  configFile?: string
  /** No libp2p in the peer. @default false */
  offline?: boolean
  /** Run the peer inside this Linux network namespace (`ip netns exec`; needs root). */
  netns?: string
  /** Only these peer ids may connect (config `node.allow_list`). */
  allowList?: string[]
  /** Config `models.trusted_publishers`: org → publisher ids. */
  trustedPublishers?: Record<string, string[]>
  /** Config `transfer.stream_max`, e.g. '5s': longest a transfer stream is served. */
  transferStreamMax?: string
  /** Config `transfer.versions`, e.g. ['1.0.0']: the transfer protocol versions the peer speaks. */
  transferVersions?: string[]
  /** Config `cache` keys (e.g. `{ max_entries: 2, sweep_interval: '100ms' }`). */
  cache?: Record<string, unknown>
  /** Config `seeding` keys (e.g. `{ auto_pin_reads: 2 }`). */
  seeding?: Record<string, unknown>
  /** Config `node.tags` (e.g. `{ zone: 'a' }`). */
  tags?: Record<string, string>
}

type ArgsOf<Ops, O extends keyof Ops> = Ops[O] extends { args: infer A } ? A : never
type ResultOf<Ops, O extends keyof Ops> = Ops[O] extends { result: infer R } ? R : never

export interface CallOptions {
  timeoutMs?: number
  /** Progress events the peer sends for this call (operations asked for `progress: true`). */
  onProgress?: (type: string, detail: any) => void
}

export interface Peer<Ops extends object = Operations> {
  readonly peerId: string
  readonly addresses: string[]
  readonly dataDir: string
  readonly process: ChildProcess
  call<O extends keyof Ops & string>(op: O, args: ArgsOf<Ops, O>, options?: CallOptions): Promise<ResultOf<Ops, O>>
  /** Ask the node to stop, wait for the process to exit. */
  stop(): Promise<void>
  /** SIGKILL, no clean-up by the node. */
  kill(): Promise<void>
}

/** Start one peer process. Rejects with a PeerError (e.g. name `RepoLockedError`) when the node fails to start. */
export async function startPeer (options: StartPeerOptions = {}): Promise<Peer> {
  const ownDir = options.dataDir == null
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'ipfs-kit-peer-'))
  const listen = options.listen ?? ['/ip4/127.0.0.1/tcp/0']
  const bootstrap = options.bootstrap ?? []
  // each peer gets a config file of its own (unless the caller brings one): what a person would
  // write to run the same node by hand with `ipfs-kit daemon --config`
  const configFile = options.configFile ?? await writePeerConfig(dataDir, listen, bootstrap, options.allowList, options.trustedPublishers, options.transferStreamMax, options.cache, options.seeding, options.tags, options.transferVersions)
  const init: PeerProcessInit = { dataDir, listen, bootstrap, configFile, offline: options.offline }
  // run as `ipfs-kit daemon` runs: with its Node flags
  return await spawnPeer<Operations>(PEER_ENTRY, init, { dataDir, ownDir, configFile: options.configFile == null ? configFile : undefined }, options.netns, DAEMON_NODE_FLAGS)
}

/**
 * Spawn a peer process running `entry` (which prints `ready` then answers JSON-line requests,
 * as peer-process.ts does) and wrap it. `ownDir`: remove `dataDir` on stop; `configFile`: remove it on stop.
 */
/**
 * How to run a peer entry: the compiled JavaScript under dist/ when it is current (what users
 * run; benchmarks measure memory this way, without tsx's own ~50 MB), else the source through tsx;
 * `IPFS_KIT_PEER_RUNTIME=dist|tsx` forces one (peers/runtime.ts).
 */
function entryArgs (entry: string): string[] {
  if (childRuntime() === 'tsx') return ['--import', 'tsx', entry]
  const built = builtPath(entry)
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`)
  return [built]
}

export async function spawnPeer<Ops extends object> (entry: string, init: unknown, files: { dataDir: string, ownDir: boolean, configFile?: string }, netns?: string, nodeFlags: readonly string[] = []): Promise<Peer<Ops>> {
  const { dataDir, ownDir, configFile } = files
  // IPFS_KIT_PEER_NODE_ARGS: extra Node flags for peer processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  const nodeArgs = (process.env.IPFS_KIT_PEER_NODE_ARGS ?? '').split(' ').filter(a => a !== '')
  const argv = [...nodeFlags, ...nodeArgs, ...entryArgs(entry), JSON.stringify(init)]
  // IPFS_KIT_PEER_STDERR_DIR: each peer's stderr (e.g. DEBUG logs) into its own file there, named by data directory
  const stderrDir = process.env.IPFS_KIT_PEER_STDERR_DIR
  const stderr = stderrDir == null || stderrDir === '' ? 'inherit' : openSync(join(stderrDir, `${dataDir.split('/').pop() ?? 'peer'}.log`), 'a')
  // `ip netns exec` enters the namespace and then execs node: the child's pid is node's
  const child = spawn(netns == null ? process.execPath : 'ip', netns == null ? argv : ['netns', 'exec', netns, process.execPath, ...argv], {
    stdio: ['pipe', 'pipe', stderr],
    env: { ...process.env, IPFS_KIT_DISABLE: '' }
  })
  if (typeof stderr === 'number') closeSync(stderr) // the child has its own copy
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  // a write racing the peer's death fails with EPIPE: the call is rejected by the exit, not the parent crashed
  child.stdin?.on('error', () => {})
  const pending = new Map<number, { resolve(v: unknown): void, reject(e: Error): void, onProgress?: CallOptions['onProgress'] }>()
  let nextId = 1
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })

  const ready = new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`peer did not start within ${PEER_START_TIMEOUT_MS} ms`)) }, PEER_START_TIMEOUT_MS)
    void exited.then(code => { clearTimeout(timer); reject(new Error(`peer exited with code ${code} before it was ready`)) })
    lines.on('line', line => {
      let message: any
      try {
        message = JSON.parse(line)
      } catch {
        return // not ours (a library printing to stdout)
      }
      if (message.event === 'ready') {
        clearTimeout(timer)
        resolve(message as ReadyMessage)
      } else if (message.event === 'error') {
        clearTimeout(timer)
        reject(new PeerError((message as StartErrorMessage).error))
      } else if (typeof message.id === 'number' && message.progress != null) {
        const { type, detail } = (message as ProgressMessage).progress
        pending.get(message.id)?.onProgress?.(type, detail)
      } else if (typeof message.id === 'number') {
        const waiter = pending.get(message.id)
        pending.delete(message.id)
        const response = message as Response
        if ('error' in response) waiter?.reject(new PeerError(response.error))
        else waiter?.resolve(response.result)
      }
    })
  })
  void exited.then(code => {
    for (const waiter of pending.values()) waiter.reject(new Error(`peer exited with code ${code}`))
    pending.clear()
  })

  let info: ReadyMessage
  try {
    info = await ready
  } catch (err) {
    child.kill('SIGKILL')
    await exited
    if (ownDir) await rm(dataDir, { recursive: true, force: true })
    if (configFile != null) await rm(configFile, { force: true })
    throw err
  }

  const cleanUp = async (): Promise<void> => {
    if (ownDir) await rm(dataDir, { recursive: true, force: true })
    if (configFile != null) await rm(configFile, { force: true })
  }

  const peer: Peer<Ops> = {
    peerId: info.peerId,
    addresses: info.addresses,
    dataDir,
    process: child,
    call: async (op, args, callOptions = {}) => {
      // a peer that has exited answers nothing: fail now rather than wait forever (no timeout given)
      if (child.exitCode != null || child.signalCode != null) throw new Error(`${op}: peer exited (${child.signalCode ?? child.exitCode})`)
      const id = nextId++
      const result = new Promise<any>((resolve, reject) => {
        pending.set(id, { resolve, reject, onProgress: callOptions.onProgress })
        const timeout = callOptions.timeoutMs
        if (timeout != null) {
          setTimeout(() => {
            if (pending.delete(id)) reject(new Error(`${op} timed out after ${timeout} ms`))
          }, timeout).unref()
        }
      })
      child.stdin?.write(JSON.stringify({ id, op, args }) + '\n')
      return await result
    },
    stop: async () => {
      if (child.exitCode == null && child.signalCode == null) {
        await peer.call('stop' as keyof Ops & string, {} as any).catch(() => {})
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      await cleanUp()
    },
    kill: async () => {
      if (child.exitCode == null && child.signalCode == null) {
        child.kill('SIGKILL')
        await exited
      }
    }
  }
  return peer
}

/** Write `<dataDir>.yaml`: the peer's listen and bootstrap addresses as an ipfs-kit config file. */
async function writePeerConfig (dataDir: string, listen: string[], bootstrap: string[], allowList?: string[], trusted?: Record<string, string[]>, transferStreamMax?: string, cache?: Record<string, unknown>, seeding?: Record<string, unknown>, tags?: Record<string, string>, transferVersions?: string[]): Promise<string> {
  const file = `${dataDir}.yaml`
  const list = (items: string[]): string => items.length === 0 ? '[]' : '\n' + items.map(i => `      - "${i}"`).join('\n')
  const allow = (allowList == null ? '' : `    allow_list: ${list(allowList)}\n`) + (tags == null ? '' : `    tags: ${JSON.stringify(tags)}\n`)
  const sections = (trusted == null ? '' : `  models:\n    trusted_publishers: ${JSON.stringify(trusted)}\n`) +
    (cache == null ? '' : `  cache: ${JSON.stringify(cache)}\n`) +
    (seeding == null ? '' : `  seeding: ${JSON.stringify(seeding)}\n`) +
    (transferStreamMax == null && transferVersions == null
      ? ''
      : `  transfer:\n${transferStreamMax == null ? '' : `    stream_max: "${transferStreamMax}"\n`}${transferVersions == null ? '' : `    versions: ${JSON.stringify(transferVersions)}\n`}`)
  await writeFile(file, `# generated by peers/harness.ts\nipfs_kit:\n  cache_dir: "${dataDir}"\n${sections}  node:\n    listen: ${list(listen)}\n    bootstrap: ${list(bootstrap)}\n${allow}`)
  return file
}

export interface Cluster {
  peers: Peer[]
  stop(): Promise<void>
}

/**
 * Start `peers` processes; every peer after the first bootstraps to the
 * first, and the call resolves once each sees at least one other peer.
 */
export async function startCluster (options: { peers: number, configFile?: string }): Promise<Cluster> {
  const first = await startPeer({ configFile: options.configFile })
  const peers: Peer[] = [first]
  try {
    const rest = await Promise.all(Array.from({ length: options.peers - 1 }, async () => await startPeer({ bootstrap: first.addresses, configFile: options.configFile })))
    peers.push(...rest)
    await Promise.all(peers.map(async peer => { await waitForPeers(peer, Math.min(1, options.peers - 1)) }))
  } catch (err) {
    await Promise.all(peers.map(async p => { await p.stop() }))
    throw err
  }
  return {
    peers,
    stop: async () => { await Promise.all(peers.map(async p => { await p.stop() })) }
  }
}

/** Resolve once `peer` is connected to at least `count` peers. */
export async function waitForPeers (peer: Peer, count: number, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs
  while (true) {
    const connected = await peer.call('peers', {})
    if (connected.length >= count) return connected
    if (Date.now() > deadline) throw new Error(`peer ${peer.peerId} sees ${connected.length} peers, wanted ${count}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

const STOCK_ENTRY = fileURLToPath(new URL('./stock-helia-process.ts', import.meta.url))

/** Start a stock Helia 7 node (no ipfs-kit code) in its own process: the bitswap baseline and interop partner. */
export async function startStockHelia (options: { listen?: string[], netns?: string } = {}): Promise<Peer<StockOperations>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stock-helia-'))
  const init: StockHeliaInit = { dataDir, listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'] }
  return await spawnPeer<StockOperations>(STOCK_ENTRY, init, { dataDir, ownDir: true }, options.netns)
}

const HOSTILE_ENTRY = fileURLToPath(new URL('./hostile-peer.ts', import.meta.url))

/** Start a hostile peer (peers/hostile-peer.ts): an ipfs-kit node that misbehaves when told to. */
export async function startHostilePeer (options: { bootstrap?: string[] } = {}): Promise<Peer<HostileOperations>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ipfs-kit-hostile-'))
  const listen = ['/ip4/127.0.0.1/tcp/0']
  const bootstrap = options.bootstrap ?? []
  const configFile = await writePeerConfig(dataDir, listen, bootstrap)
  const init: PeerProcessInit = { dataDir, listen, bootstrap, configFile }
  return await spawnPeer<HostileOperations>(HOSTILE_ENTRY, init, { dataDir, ownDir: true, configFile }, undefined, DAEMON_NODE_FLAGS)
}
