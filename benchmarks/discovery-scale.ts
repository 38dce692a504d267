/**
 * `npm run bench:discovery -- --nodes 10,50,100,200`: model discovery on a
 * fleet of N nodes, for each N in the list. Does find-by-name stay fast, and
 * do gossip traffic and provider-index memory per node grow with the number
 * of models announced rather than with nodes × models?
 *
 * Each node is a real libp2p node with its own identity (the product's
 * libp2p composition: TCP loopback, noise, yamux, kad-dht, gossipsub) running
 * the product's NamedDiscovery; N of them share a few host processes
 * (benchmarks/discovery-fleet.ts). Each node holds `--models` models out of a
 * fixed catalogue (`--catalogue`), so holders per model grow with N as in an
 * inference fleet where every node serves a few popular models. Once the
 * fleet is up and every model's DHT record is findable, the fleet settles for
 * one announce interval and then a window of `--window-s` is measured: every
 * node's gossipsub bytes (in + out, all of gossipsub: payloads, forwards,
 * IHAVE/IWANT, GRAFT/PRUNE) and its provider-index size, while fresh nodes
 * (in this process, which hosts nothing else) join one after another and ask
 * for names through each path. `--baseline` also runs each N with announce
 * suppression and the per-name index bound off (how the product behaved
 * before them).
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { MODELS_ANNOUNCE_INTERVAL_MS } from '../src/constants.ts'
import { bytesPerIndexEntry, Fleet, pick } from './discovery-fleet.ts'
import { renderScaleReport } from './discovery-scale-report.ts'
import { firstProvider, startScaleNode } from './lib/scale-node.ts'
import { machine, writeResults } from './lib/results.ts'
import type { Mode, ScaleQuery, ScaleRun } from './discovery-scale-report.ts'
import type { ScaleNode } from './lib/scale-node.ts'
import type { HostStats } from './discovery-scale-host.ts'
import { log, positiveInt, sec, sleep } from './lib/cli.ts'

const LAN_TIMEOUT_MS = 2_000
const DHT_TIMEOUT_MS = 5_000
/** The gossip-index-only queries start once a fresh node has been up this long. */
const GOSSIP_SETTLE_MS = 2_000
/** A host whose event loop answers within this (p99 over 3 s) counts as calm. */
const CALM_LOOP_MS = 300
/** …and used less than this fraction of a core. */
const CALM_CPU = 0.5

const { values: opts } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10,50,100,200' },
    hosts: { type: 'string', default: '2' },
    models: { type: 'string', default: '5' },
    catalogue: { type: 'string', default: '50' },
    fresh: { type: 'string', default: '6' },
    queries: { type: 'string', default: '5' },
    'interval-s': { type: 'string', default: String(MODELS_ANNOUNCE_INTERVAL_MS / 1000) },
    'window-s': { type: 'string', default: '60' },
    'ramp-s': { type: 'string', default: '' },
    'dht-cap-s': { type: 'string', default: '120' },
    'calm-cap-s': { type: 'string', default: '300' },
    'flood-publish': { type: 'string', default: 'on' },
    start: { type: 'string', default: 'rolling' },
    'dht-self-wait': { type: 'string', default: 'on' },
    baseline: { type: 'string', default: '' },
    help: { type: 'boolean', default: false }
  }
})

if (opts.help === true) {
  process.stdout.write([
    'usage: npm run bench:discovery -- --nodes <n[,n…]> [options]',
    '  --nodes <list>      fleet sizes, one fleet each (default 10,50,100,200)',
    '  --hosts <n>         processes the nodes are spread over (default 2)',
    '  --models <n>        models each node holds (default 5)',
    '  --catalogue <n>     distinct models in the fleet (default 50)',
    '  --fresh <n>         fresh nodes measured per fleet (default 6)',
    '  --queries <n>       names each fresh node asks per path (default 5)',
    '  --interval-s <s>    announce interval (default the product\'s, 60)',
    '  --window-s <s>      traffic window (default 60)',
    '  --ramp-s <s>        nodes start discovery one by one over this long (default N / 5: 5 nodes a second)',
    '  --dht-cap-s <s>     give up waiting for DHT records after (default 120)',
    '  --start rolling|connected  rolling (default): each node starts discovery with its libp2p node, 5 nodes a second, as kits do; connected: the whole fleet connects, then starts discovery over --ramp-s',
    '  --flood-publish off  fleet nodes publish to their gossipsub mesh only (the product: to every topic peer)',
    '  --dht-self-wait off  the fresh nodes\' DHT lookups do not wait for their first self-query (the product: they do)',
    '  --calm-cap-s <s>    longest wait for the hosts to calm after start-up and after discovery starts (default 300)',
    '  --baseline <list>   fleet sizes also run without announce suppression and the per-name bound',
    ''
  ].join('\n'))
  process.exit(0)
}

const sizes = String(opts.nodes).split(',').map(n => positiveInt(n, '--nodes'))
const hosts = positiveInt(opts.hosts, '--hosts')
const modelsPerNode = positiveInt(opts.models, '--models')
const catalogue = Array.from({ length: positiveInt(opts.catalogue, '--catalogue') }, (_, i) => `org-${i % 10}/model-${i}`)
const freshCount = positiveInt(opts.fresh, '--fresh')
const queriesPerFresh = positiveInt(opts.queries, '--queries')
const intervalMs = positiveInt(opts['interval-s'], '--interval-s') * 1000
const windowMs = positiveInt(opts['window-s'], '--window-s') * 1000
const rampMs = (n: number): number => opts['ramp-s'] !== '' ? positiveInt(opts['ramp-s'], '--ramp-s') * 1000 : n * 200
const dhtCapMs = positiveInt(opts['dht-cap-s'], '--dht-cap-s') * 1000
/** Longest wait for the hosts to calm down after the fleet starts and after discovery starts. */
const CALM_CAP_MS = positiveInt(opts['calm-cap-s'], '--calm-cap-s') * 1000
const baselineSizes = new Set(String(opts.baseline).split(',').filter(x => x !== '').map(n => positiveInt(n, '--baseline')))
const command = ['npm run bench:discovery --', ...process.argv.slice(2)].join(' ')

let live: Fleet | undefined
process.once('exit', () => { live?.kill() })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { live?.kill(); process.exit(130) })

const entryBytes = await bytesPerIndexEntry()
log(`provider-index entry: ${entryBytes.toFixed(0)} heap bytes (measured)`)
const runs: ScaleRun[] = []
const started = Date.now()
const ctx = (): Parameters<typeof renderScaleReport>[1] => ({ command, machine: machine(), entryBytes, intervalMs, windowMs, modelsPerNode, catalogue: catalogue.length, hosts, runMs: Date.now() - started })
for (const n of sizes) {
  for (const mode of ['before', 'after'] as const) {
    if (mode !== 'after' && !baselineSizes.has(n)) continue
    runs.push(await runFleet(n, mode))
    log(dhtSplit(runs.at(-1) as ScaleRun))
    // each fleet's row as soon as it is measured: a long run stopped early still reports what it measured
    log(renderScaleReport(runs.slice(-1), ctx()))
    await writeResults('discovery-scale', { name: 'discovery-scale', command, partial: true, date: new Date().toISOString(), machine: machine(), entryBytes, intervalMs, windowMs, runs })
  }
}

process.stdout.write(renderScaleReport(runs, ctx()))
const file = await writeResults('discovery-scale', { name: 'discovery-scale', command, date: new Date().toISOString(), machine: machine(), entryBytes, intervalMs, windowMs, runs })
log(`results: ${file}`)

async function runFleet (n: number, mode: Mode): Promise<ScaleRun> {
  const t0 = Date.now()
  const unbounded = mode === 'before' ? { announce: { intervalMs, redundancy: Infinity }, index: { maxPerName: Infinity } } : { announce: { intervalMs }, index: undefined }
  const fleet = new Fleet({ nodes: n, hosts: Math.min(hosts, n), modelsPerNode, catalogue, ...unbounded, floodPublish: opts['flood-publish'] !== 'off' })
  live = fleet
  const queries: ScaleQuery[] = []
  try {
    log(`[${mode} N=${n}] starting ${n} nodes on ${fleet.hosts.length} hosts`)
    const rolling = opts.start !== 'connected'
    await fleet.start(log, rolling)
    if (!rolling) {
      await calm(fleet, `[${mode} N=${n}] fleet started`)
      await fleet.startDiscovery(rampMs(n))
    }
    const discoveryAt = Date.now()
    await calm(fleet, `[${mode} N=${n}] discovery started`)
    log(`[${mode} N=${n}] discovery started on every node after ${sec(Date.now() - t0)} s; waiting for DHT records`)
    const { ms: propagationMs, missing } = await waitForDht(fleet, catalogue, dhtCapMs)
    log(`[${mode} N=${n}] ${catalogue.length - missing}/${catalogue.length} names findable through the DHT after ${sec(propagationMs)} s`)
    // one interval and a quarter after discovery started, every node has announced once more (jitter ≤ 1.25)
    const settle = discoveryAt + 1.3 * intervalMs - Date.now()
    if (settle > 0) await sleep(settle)
    const before = await fleet.stats()
    const windowStart = Date.now()
    const loadBefore = os.loadavg()[0] as number
    for (let k = 0; k < freshCount && Date.now() - windowStart < windowMs; k++) await measureFresh(fleet, k, queries)
    const left = windowStart + windowMs - Date.now()
    if (left > 0) await sleep(left)
    const after = await fleet.stats()
    const elapsed = Date.now() - windowStart
    const first = new Map(before.flatMap(h => h.nodes).map(s => [s.peerId, s.gossipBytes]))
    const nodes = after.flatMap(h => h.nodes)
    const heardBefore = new Map(before.flatMap(h => h.nodes).map(s => [s.peerId, s.heard]))
    const heard = nodes.map(s => (s.heard - (heardBefore.get(s.peerId) ?? 0)) * 60_000 / elapsed)
    const cpuCores = after.reduce((a, h, i) => a + h.cpuMs - (before[i]?.cpuMs ?? 0), 0) / elapsed
    log(`[${mode} N=${n}] window: hosts used ${(cpuCores * 100).toFixed(0)} % of a core (${(cpuCores * 1000 / n).toFixed(1)} ms of CPU per node per second); announcements heard ${(heard.reduce((a, b) => a + b, 0) / n).toFixed(1)}/node/min; per protocol, KiB/node/min: ${protocolDelta(before, after, n, elapsed)}`)
    return {
      mode,
      nodes: n,
      holdings: n * modelsPerNode,
      distinct: Math.min(catalogue.length, n * modelsPerNode),
      gossipBytesPerMin: nodes.map(s => (s.gossipBytes - (first.get(s.peerId) ?? 0)) * 60_000 / elapsed),
      indexEntries: nodes.map(s => s.indexEntries),
      connections: nodes.map(s => s.connections),
      hostRssBytes: after.reduce((a, h) => a + h.rssBytes, 0),
      cpuMsPerNodePerS: cpuCores * 1000 / n,
      announcementsPerMin: heard.reduce((a, b) => a + b, 0) / n,
      hostLoopDelayP99Ms: Math.max(...after.map(h => h.loopDelayP99Ms)),
      propagationMs,
      unfindable: missing,
      load: [loadBefore, os.loadavg()[0] as number],
      queries,
      runMs: Date.now() - t0
    }
  } finally {
    await fleet.stop()
    live = undefined
  }
}

/** A fresh node's first DHT lookup (it waits for kad-dht's first self-query) against its later ones. */
function dhtSplit (run: ScaleRun): string {
  const dht = run.queries.filter(q => q.path === 'dht')
  const firsts = dht.filter((q, i) => dht.findIndex(x => x.fresh === q.fresh) === i)
  const later = dht.filter(q => !firsts.includes(q))
  const show = (qs: ScaleQuery[]): string => qs.map(q => q.ms == null ? 'miss' : q.ms.toFixed(0)).join(' ')
  return `[${run.mode} N=${run.nodes}] DHT lookups, ms: each fresh node's first: ${show(firsts)}; later: ${show(later)}`
}

/** Bytes per protocol between two stats, per node per minute, largest first. */
function protocolDelta (before: HostStats[], after: HostStats[], n: number, elapsedMs: number): string {
  const delta = new Map<string, number>()
  for (const [i, h] of after.entries()) {
    for (const [protocol, { bytes }] of Object.entries(h.protocols)) delta.set(protocol, (delta.get(protocol) ?? 0) + bytes - (before[i]?.protocols[protocol]?.bytes ?? 0))
  }
  return [...delta].sort((a, b) => b[1] - a[1]).map(([protocol, bytes]) => `${protocol} ${(bytes / 1024 / n * 60_000 / elapsedMs).toFixed(0)}`).join(', ')
}

/** A probe node asks the DHT for every catalogue name until each has a provider or the cap runs out. */
async function waitForDht (fleet: Fleet, names: string[], capMs: number): Promise<{ ms: number, missing: number }> {
  const t0 = Date.now()
  const probe = await startScaleNode({ models: [], bootstrap: [] })
  try {
    let missing = [...names]
    while (missing.length > 0 && Date.now() - t0 < capMs) {
      if (probe.libp2p.getConnections().length === 0) await join(probe, fleet)
      const still: string[] = []
      for (const name of missing) if (await firstProvider(probe, name, ['dht'], 3_000) == null) still.push(name)
      missing = still
      if (missing.length > 0) await sleep(1_000)
    }
    return { ms: Date.now() - t0, missing: missing.length }
  } finally {
    await probe.stop()
  }
}

/** A fresh node joins through one random fleet node, asks its names through gossip + peers and the DHT, then other names of its gossip index. */
async function measureFresh (fleet: Fleet, k: number, queries: ScaleQuery[]): Promise<void> {
  const node = await startScaleNode({ models: [], bootstrap: [], dhtNoSelfWait: opts['dht-self-wait'] === 'off' })
  try {
    await node.startDiscovery()
    await join(node, fleet)
    const up = performance.now()
    const names = pick(catalogue, 2 * queriesPerFresh)
    for (const name of names.slice(0, queriesPerFresh)) {
      queries.push({ path: 'lan', fresh: k, name, ms: await firstProvider(node, name, ['gossip', 'peers'], LAN_TIMEOUT_MS) })
      queries.push({ path: 'dht', fresh: k, name, ms: await firstProvider(node, name, ['dht'], DHT_TIMEOUT_MS) })
    }
    const wait = GOSSIP_SETTLE_MS - (performance.now() - up)
    if (wait > 0) await sleep(wait)
    for (const name of names.slice(queriesPerFresh)) queries.push({ path: 'gossip', fresh: k, name, ms: await firstProvider(node, name, ['gossip'], LAN_TIMEOUT_MS) })
  } finally {
    await node.stop()
  }
}

/**
 * Wait (up to CALM_CAP_MS) until every host is calm: its event loop answers within CALM_LOOP_MS
 * and it used less than CALM_CPU of a core in the last 3 s. kad-dht's start-up walks of every node
 * (routing-table refresh, self-query) and the first DHT provides land at once on two cores, and a
 * host still working through them queues dials and inflates times. The loop delay alone does not
 * tell: a host blocked for the whole 3 s records no sample (p99 0).
 */
async function calm (fleet: Fleet, label: string): Promise<void> {
  const t0 = Date.now()
  let worst = { loop: Infinity, cpu: Infinity }
  let last = await fleet.stats()
  let lastAt = Date.now()
  while (Date.now() - t0 < CALM_CAP_MS) {
    await sleep(3_000)
    const now = await fleet.stats()
    const at = Date.now()
    worst = {
      loop: Math.max(...now.map(h => h.loopDelayP99Ms === 0 ? Infinity : h.loopDelayP99Ms)),
      cpu: Math.max(...now.map((h, i) => (h.cpuMs - (last[i]?.cpuMs ?? 0)) / (at - lastAt)))
    }
    last = now
    lastAt = at
    if (worst.loop < CALM_LOOP_MS && worst.cpu < CALM_CPU) break
  }
  log(`${label}: hosts' event-loop p99 ${worst.loop.toFixed(0)} ms, CPU ${(worst.cpu * 100).toFixed(0)} % of a core after ${sec(Date.now() - t0)} s of waiting`)
}

/** Dial random fleet nodes until one answers: a host busy with the fleet's start-up (hundreds of DHT provides at once) can stall for seconds. */
async function join (node: ScaleNode, fleet: Fleet): Promise<void> {
  for (const address of pick(fleet.addresses, 5)) {
    try {
      await node.libp2p.dial(multiaddr(address), { signal: AbortSignal.timeout(30_000) })
      return
    } catch (err: any) {
      log(`  dial ${address} failed (${String(err.message)}); trying another fleet node`)
    }
  }
  throw new Error('no fleet node answered 5 dials')
}
