/**
 * Where the CPU of a pull goes (a diagnostic for issue 20; it prints no
 * target table): a seed and N workers in network namespaces (as
 * bench:fanout, links limited with tc), the CPU of every process (user and
 * system, from /proc) while idle for a few seconds and then during the pull,
 * per MiB received (workers) and sent (seed). `--mode raw` moves the same
 * bytes over one raw libp2p stream between two stock Helia processes (the
 * cost of the libp2p stack alone, one worker). Run it with
 * IPFS_KIT_PEER_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' for profiles.
 *
 *   npm run build && IPFS_KIT_PEER_RUNTIME=dist tsx benchmarks/cpu-probe.ts --workers 2 --size 64MiB --mbit 50
 *   IPFS_KIT_PEER_RUNTIME=dist tsx benchmarks/cpu-probe.ts --mode raw --size 64MiB --mbit 50
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { readdirSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { parseSize } from '../src/config/units.ts'
import { startStockHelia } from '../peers/harness.ts'
import { writeRandomFile } from './lib/data.ts'
import { createNetwork, netnsUnavailable } from './lib/netns.ts'
import { startSwarm, timeAll } from './lib/swarm.ts'
import { withTempDir } from './lib/temp-dir.ts'
import type { Network } from './lib/netns.ts'
import type { ChildProcess } from 'node:child_process'

const { values: opts } = parseArgs({
  options: {
    mode: { type: 'string', default: 'kit' },
    workers: { type: 'string', default: '2' },
    size: { type: 'string', default: '64MiB' },
    mbit: { type: 'string', default: '50' },
    idle: { type: 'string', default: '5' },
    'seed-only': { type: 'boolean', default: false }
  }
})
const unavailable = netnsUnavailable()
if (unavailable != null) {
  process.stderr.write(`cpu-probe not run: ${unavailable}\n`)
  process.exit(2)
}
const raw = opts.mode === 'raw'
const workers = raw ? 1 : Number(opts.workers)
const size = parseSize(opts.size) ?? NaN
const mib = size / 2 ** 20
/** /proc/<pid>/stat counts in USER_HZ ticks. */
const TICK = 100
interface Cpu { user: number, sys: number }
const cpuOf = (pid: number, task?: string): Cpu => {
  const fields = readFileSync(`/proc/${pid}/${task == null ? '' : `task/${task}/`}stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  return { user: Number(fields[11]) / TICK, sys: Number(fields[12]) / TICK }
}
/** CPU seconds (user + system) per thread name of a process (node's main thread, libuv's pool, V8's workers, …). */
const threadsOf = (pid: number): Map<string, number> => {
  const byName = new Map<string, number>()
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim()
      const cpu = cpuOf(pid, task)
      byName.set(`${name}#${task === String(pid) ? 'main' : task}`, cpu.user + cpu.sys)
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return byName
}
/** Per thread-name group: CPU seconds used between two samples. */
const threadDelta = (before: Map<string, number>, after: Map<string, number>): string => {
  const groups = new Map<string, number>()
  for (const [key, cpu] of after) {
    const group = key.endsWith('#main') ? 'main' : key.replace(/#.*$/, '').replace(/[0-9]+$/, '')
    groups.set(group, (groups.get(group) ?? 0) + cpu - (before.get(key) ?? 0))
  }
  return [...groups].filter(([, s]) => s >= 0.01).sort((a, b) => b[1] - a[1]).map(([g, s]) => `${g} ${s.toFixed(2)}`).join(', ')
}
const NAME = 'bench/cpu-probe'
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

interface Setup { peers: Array<{ process: ChildProcess }>, pull(): Promise<{ seconds: Array<number | null>, errors: string[] }>, stop(): Promise<void> }

async function kit (net: Network, file: string): Promise<Setup> {
  const swarm = await startSwarm(net, { seedOnly: opts['seed-only'] === true, prepare: async seed => { await seed.call('modelPublish', { dir: path.dirname(file), name: NAME }, { timeoutMs: 600_000 }) } })
  return {
    peers: [swarm.seed, ...swarm.workers],
    pull: async () => await timeAll(swarm.workers, async w => await w.call('modelPull', { name: NAME, blockTimeoutMs: 120_000, manifestTimeoutMs: 30_000 }, { timeoutMs: 1_800_000 })),
    stop: swarm.stop
  }
}

async function rawStream (net: Network, file: string): Promise<Setup> {
  const [a, b] = net.hosts
  const seed = await startStockHelia({ netns: a?.ns, listen: [`/ip4/${a?.ip}/tcp/0`] })
  const worker = await startStockHelia({ netns: b?.ns, listen: [`/ip4/${b?.ip}/tcp/0`] }).catch(async err => { await seed.stop(); throw err })
  await seed.call('rawServe', { path: file })
  await worker.call('dial', { address: seed.addresses[0] as string })
  return {
    peers: [seed, worker],
    pull: async () => {
      const t0 = performance.now()
      try {
        await worker.call('rawFetch', { peer: seed.peerId }, { timeoutMs: 1_800_000 })
        return { seconds: [(performance.now() - t0) / 1000], errors: [] }
      } catch (err: any) {
        return { seconds: [null], errors: [err.message] }
      }
    },
    stop: async () => { await Promise.all([seed.stop(), worker.stop()]) }
  }
}

await withTempDir('ipfs-kit-cpu-probe-', async dir => {
  const file = path.join(dir, 'model', 'model.safetensors')
  await fs.mkdir(path.dirname(file))
  await writeRandomFile(file, size)
  const net = createNetwork(workers + 1, Number(opts.mbit))
  try {
    const setup = raw ? await rawStream(net, file) : await kit(net, file)
    try {
      const pids = setup.peers.map(p => p.process.pid as number)
      const sample = (): Cpu[] => pids.map(pid => cpuOf(pid))
      const idleSeconds = Number(opts.idle)
      const i0 = sample()
      await sleep(idleSeconds * 1000)
      const i1 = sample()
      const threads0 = pids.map(pid => threadsOf(pid))
      const t0 = performance.now()
      const timed = await setup.pull()
      const threads1 = pids.map(pid => threadsOf(pid))
      const wall = (performance.now() - t0) / 1000
      const p1 = sample()
      let total = 0
      let idleTotal = 0
      const rows = pids.map((_, i) => {
        const idle = (((i1[i] as Cpu).user + (i1[i] as Cpu).sys) - ((i0[i] as Cpu).user + (i0[i] as Cpu).sys)) / idleSeconds
        const user = (p1[i] as Cpu).user - (i1[i] as Cpu).user
        const sys = (p1[i] as Cpu).sys - (i1[i] as Cpu).sys
        total += user + sys
        idleTotal += idle * wall
        return `${i === 0 ? 'seed    ' : `worker ${i}`}  user ${user.toFixed(2)} s  sys ${sys.toFixed(2)} s  = ${(1000 * (user + sys) / mib).toFixed(1)} ms per MiB of the model; idle ${(idle * 1000).toFixed(0)} ms/s`
      })
      process.stdout.write(`${opts.mode}${opts['seed-only'] === true ? ' seed-only' : ''}: ${workers} workers × ${opts.size} at ${opts.mbit} Mbit/s: wall ${wall.toFixed(1)} s (${timed.seconds.map(s => s?.toFixed(1)).join(', ')}${timed.errors.length > 0 ? `; errors ${timed.errors.join('; ')}` : ''})\n`)
      process.stdout.write(rows.join('\n') + '\n')
      process.stdout.write('CPU-s by thread during the pull:\n' + pids.map((_, i) => `  ${i === 0 ? 'seed    ' : `worker ${i}`}  ${threadDelta(threads0[i] as Map<string, number>, threads1[i] as Map<string, number>)}`).join('\n') + '\n')
      process.stdout.write(`total ${total.toFixed(2)} CPU-s = ${(1000 * total / (workers * mib)).toFixed(1)} CPU-ms per MiB received (idle baseline over the pull: ${(1000 * idleTotal / (workers * mib)).toFixed(1)})\n`)
    } finally {
      await setup.stop()
    }
  } finally {
    net.destroy()
  }
})
