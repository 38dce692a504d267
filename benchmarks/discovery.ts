/**
 * `npm run bench:discovery`: how soon does a node that has just joined a
 * cluster learn who holds a model, by name? The gossip/LAN path (provider
 * index fed by gossip and by peers at connect time, plus asking every
 * connected peer) and the DHT-only path are measured separately, against a
 * baseline in the same run: a plain DHT provider lookup of a file's CID.
 *
 * 10 real node processes on loopback each publish 5 small models
 * (`org-<i>/model-<j>`) and store one small file. Once a probe node finds
 * every record through the DHT, fresh nodes (new data dir, bootstrapped to
 * one random cluster peer) are started one after another; each asks for its
 * own 5 names once per path, plus the file CID of each name's publisher. Times
 * are measured inside the fresh node (`modelFirstProvider`,
 * `cidFirstProvider`), so process start is not counted. The cluster side
 * lives in benchmarks/discovery-cluster.ts; prints a markdown table
 * (benchmarks/discovery-report.ts), writes benchmarks/results/discovery.json.
 * Every peer process and temp dir is removed at the end, on error, and on
 * Ctrl-C / SIGTERM.
 *
 *   npm run bench:discovery
 *   npm run bench:discovery -- --peers 6 --fresh 4 --bootstrap-peers 2
 *
 * With `--nodes N[,N…]` it measures fleets of hundreds of nodes instead
 * (benchmarks/discovery-scale.ts).
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { PeerProcesses, ensureConnected, modelDir, startCluster, waitForRecords } from './discovery-cluster.ts'
import { renderReport, summarize, TARGETS } from './discovery-report.ts'
import { waitForIdle } from './lib/cpu-idle.ts'
import { median, timed } from './lib/measure.ts'
import { machine, writeResults } from './lib/results.ts'
import type { Path, QueryResult } from './discovery-report.ts'
import type { Peer } from '../peers/harness.ts'
import { log, positiveInt, sec, sleep } from './lib/cli.ts'

/** A miss on the gossip/LAN path ends once every connected peer has answered; this only bounds a stuck one. */
const LAN_TIMEOUT_MS = 2_000
/** Five times the DHT target: a slower answer is a miss either way, and misses must not stretch the run. */
const DHT_TIMEOUT_MS = 5_000
/** The gossip-index-only query runs once the fresh node has been up this long, for names it never asked for. */
const GOSSIP_SETTLE_MS = 2_000
/** Give up waiting for every DHT record to be findable after this long (and measure anyway, saying so). */
const PROPAGATION_CAP_MS = 30_000
/** Before each fresh node, wait (up to IDLE_WAIT_MS) for the machine to be less busy than this; the busy fraction is recorded. */
const IDLE_THRESHOLD = 0.25
const IDLE_WAIT_MS = 5_000

if (process.argv.slice(2).some(a => a === '--nodes' || a.startsWith('--nodes='))) {
  // the fleet benchmark runs whole during its import
  await import('./discovery-scale.ts')
  process.exit(0)
}

const { values: opts } = parseArgs({
  options: {
    peers: { type: 'string', default: '10' },
    models: { type: 'string', default: '5' },
    fresh: { type: 'string', default: '10' },
    'bootstrap-peers': { type: 'string', default: '1' },
    help: { type: 'boolean', default: false }
  }
})

if (opts.help === true) {
  process.stdout.write([
    'usage: npm run bench:discovery -- [options]',
    '  --peers <n>            cluster processes (default 10)',
    '  --models <n>           models published by each (default 5)',
    '  --fresh <n>            fresh nodes, each asking for (peers × models / fresh) names (default 10)',
    '  --bootstrap-peers <n>  random cluster peers each fresh node bootstraps to (default 1)',
    ''
  ].join('\n'))
  process.exit(0)
}

const peerCount = positiveInt(opts.peers, '--peers')
const modelsPerPeer = positiveInt(opts.models, '--models')
const freshCount = positiveInt(opts.fresh, '--fresh')
const bootstrapPeers = Math.min(positiveInt(opts['bootstrap-peers'], '--bootstrap-peers'), peerCount)
const command = ['npm run bench:discovery', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')

const procs = new PeerProcesses()
process.once('exit', () => { procs.killAllNow() })

// not withTempDir: its signal handler removes the directory at once, while peers killed a moment
// earlier may still be writing into it; here the peers are waited for first
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ipfs-kit-bench-discovery-'))
let interrupted: Promise<void> | undefined
const onSignal = (signal: NodeJS.Signals): void => {
  interrupted ??= (async () => {
    log(`${signal}: killing ${procs.live.size} peer processes, removing ${root}`)
    await procs.killAll()
    await fs.rm(root, { recursive: true, force: true, maxRetries: 5 })
    process.exit(signal === 'SIGINT' ? 130 : 143)
  })()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

const runStart = Date.now()
const queries: QueryResult[] = []
let propagationMs = 0
/** Busy fraction of the machine (other processes plus the idle cluster) in the second before each fresh node started. */
const busy: number[] = []
/** DHT records the probe node still could not find when the cap ran out (0: all findable). */
let unfindable = 0

try {
  await run()
} catch (err) {
  // interrupted: the failure is the peers being killed; the signal handler exits once they are gone
  if (interrupted != null) await interrupted
  throw err
} finally {
  await Promise.all([...procs.live].map(async peer => { await procs.stop(peer) }))
  await fs.rm(root, { recursive: true, force: true, maxRetries: 5 })
}

const rows = summarize(queries, GOSSIP_SETTLE_MS)
const runMs = Date.now() - runStart
process.stdout.write(renderReport(rows, { command, machine: machine(), peers: peerCount, modelsPerPeer, fresh: freshCount, bootstrapPeers, propagationMs, unfindable, busy: median(busy), runMs }))
const file = await writeResults('discovery', {
  name: 'discovery',
  question: 'Time to first provider of a model by name from a fresh node: gossip/LAN path vs DHT-only, against a plain DHT CID provider lookup',
  command,
  date: new Date().toISOString(),
  machine: machine(),
  options: { peers: peerCount, modelsPerPeer, fresh: freshCount, bootstrapPeers, lanTimeoutMs: LAN_TIMEOUT_MS, dhtTimeoutMs: DHT_TIMEOUT_MS, gossipSettleMs: GOSSIP_SETTLE_MS },
  targets: TARGETS,
  propagationMs,
  unfindable,
  busyBeforeFresh: busy,
  runMs,
  rows,
  queries
})
log(`results: ${path.relative(process.cwd(), file)}`)

/** Cluster up, models published, records findable; then one fresh node after another. */
async function run (): Promise<void> {
  const names = Array.from({ length: peerCount }, (_, i) => Array.from({ length: modelsPerPeer }, (_, j) => `org-${i}/model-${j}`))
  const cluster = await startCluster(procs, root, peerCount, log)
  log(`cluster: ${peerCount} peers up after ${sec(Date.now() - runStart)} s`)

  const cids = await Promise.all(cluster.map(async (peer, i) => {
    for (const name of names[i] as string[]) await peer.call('modelPublish', { dir: await modelDir(root, name), name, revision: 'main' })
    const file = path.join(root, `file-${i}.bin`)
    await fs.writeFile(file, `baseline file of peer ${i}\n`.repeat(200))
    return await peer.call('store', { path: file })
  }))
  log(`published ${peerCount * modelsPerPeer} models and stored ${peerCount} files`)

  const wait = await timed(async () => await waitForRecords(procs, root, cluster, { names: names.flat(), cids }, PROPAGATION_CAP_MS, log))
  propagationMs = wait.ms
  unfindable = wait.value
  if (unfindable === 0) log(`every DHT record findable from a probe node after ${sec(Date.now() - runStart)} s`)

  // each name asked by exactly one fresh node; the gossip-only probe asks for the next node's names, which this node never resolved
  const sample = shuffle(names.flat().map((name, i) => ({ name, publisher: Math.floor(i / modelsPerPeer) })))
  const perFresh = Math.max(1, Math.floor(sample.length / freshCount))
  for (let k = 0; k < freshCount; k++) {
    const own = sample.slice(k * perFresh, (k + 1) * perFresh)
    const next = sample.slice(((k + 1) % freshCount) * perFresh, (((k + 1) % freshCount) + 1) * perFresh)
    await measureFresh(root, k, cluster, own, next, cids)
  }
}

/** The fresh node `k`: its own names once per path (and the baseline CIDs), then the gossip index for names it never asked for. */
async function measureFresh (root: string, k: number, cluster: Peer[], own: Array<{ name: string, publisher: number }>, next: Array<{ name: string }>, cids: string[]): Promise<void> {
  busy.push(await waitForIdle(IDLE_THRESHOLD, IDLE_WAIT_MS))
  const bootstrap = shuffle(cluster).slice(0, bootstrapPeers).map(p => p.addresses[0] as string)
  const fresh = await procs.start({ dataDir: path.join(root, `fresh-${k}`), bootstrap })
  const ready = performance.now()
  await ensureConnected(fresh, bootstrap[0] as string, log)
  let walked = false
  const record = (path: Path, name: string, timeoutMs: number, result: { ms: number | null, via?: string | null }, startedAt: number, cold = false): void => {
    queries.push({ path, name, fresh: k, cold, ageMs: Math.round(startedAt - ready), ms: result.ms, via: result.via ?? null, timeoutMs })
  }
  try {
    for (const [i, { name, publisher }] of own.entries()) {
      let at = performance.now()
      record('lan', name, LAN_TIMEOUT_MS, await fresh.call('modelFirstProvider', { name, timeoutMs: LAN_TIMEOUT_MS, sources: ['gossip', 'peers'] }, { timeoutMs: LAN_TIMEOUT_MS + 10_000 }), at)
      // alternate which DHT walk comes first, so the cold first walk of a node falls on each path half the time
      const walks: Path[] = (k + i) % 2 === 0 ? ['dht', 'cid'] : ['cid', 'dht']
      for (const walk of walks) {
        at = performance.now()
        const result = walk === 'dht'
          ? await fresh.call('modelFirstProvider', { name, timeoutMs: DHT_TIMEOUT_MS, sources: ['dht'] }, { timeoutMs: DHT_TIMEOUT_MS + 10_000 })
          : await fresh.call('cidFirstProvider', { cid: cids[publisher] as string, timeoutMs: DHT_TIMEOUT_MS }, { timeoutMs: DHT_TIMEOUT_MS + 10_000 })
        record(walk, walk === 'dht' ? name : `cid:${publisher}`, DHT_TIMEOUT_MS, result, at, !walked)
        walked = true
      }
    }
    const wait = GOSSIP_SETTLE_MS - (performance.now() - ready)
    if (wait > 0) await sleep(wait)
    for (const { name } of next) {
      const at = performance.now()
      record('gossip', name, LAN_TIMEOUT_MS, await fresh.call('modelFirstProvider', { name, timeoutMs: LAN_TIMEOUT_MS, sources: ['gossip'] }, { timeoutMs: LAN_TIMEOUT_MS + 10_000 }), at)
    }
  } finally {
    await procs.stop(fresh)
  }
  const mine = queries.filter(q => q.fresh === k)
  const found = (p: Path): string => `${mine.filter(q => q.path === p && q.ms != null).length}/${mine.filter(q => q.path === p).length}`
  log(`fresh node ${k + 1}/${freshCount} (machine ${Math.round((busy.at(-1) ?? 0) * 100)}% busy before): found lan ${found('lan')}, dht ${found('dht')}, cid ${found('cid')}, gossip index ${found('gossip')}`)
}

function shuffle<T> (items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
