/**
 * The tables of `npm run bench:discovery -- --nodes …`: per fleet size, time
 * to first provider by path, gossip traffic and provider-index memory per
 * node; then the targets checked at the largest N.
 */
import { percentile } from './lib/percentile.ts'
import { fmt, markdownTable } from './lib/table.ts'

/** `before`: announce suppression and the per-name index bound off; `after`: the product's defaults. */
export type Mode = 'before' | 'after'

export interface ScaleQuery {
  path: 'lan' | 'gossip' | 'dht'
  fresh: number
  name: string
  ms: number | null
}

export interface ScaleRun {
  mode: Mode
  nodes: number
  /** Nodes × models each holds. */
  holdings: number
  /** Distinct models announced. */
  distinct: number
  gossipBytesPerMin: number[]
  indexEntries: number[]
  connections: number[]
  hostRssBytes: number
  hostLoopDelayP99Ms: number
  /** CPU the hosts used during the window, ms per node per second (idle cost of a node). */
  cpuMsPerNodePerS?: number
  /** Distinct announcements a node received per minute in the window (mean). */
  announcementsPerMin?: number
  propagationMs: number
  unfindable: number
  /** 1-minute load average at the start and the end of the measured window. */
  load: [number, number]
  queries: ScaleQuery[]
  runMs: number
}

export interface ScaleContext {
  command: string
  machine: Record<string, unknown>
  entryBytes: number
  intervalMs: number
  windowMs: number
  modelsPerNode: number
  catalogue: number
  hosts: number
  runMs: number
}

export const SCALE_TARGETS = { gossipP95Ms: 100, dhtP95Ms: 1000, growthSlack: 1.25 }

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const p = (run: ScaleRun, path: ScaleQuery['path'], q: number): number => percentile(run.queries.filter(x => x.path === path).map(x => x.ms), q)
const found = (run: ScaleRun, path: ScaleQuery['path']): string => `${run.queries.filter(x => x.path === path && x.ms != null).length}/${run.queries.filter(x => x.path === path).length}`
const ms = (v: number): string => Number.isFinite(v) ? fmt(v) : 'miss'
const kib = (b: number): string => fmt(b / 1024)

export function renderScaleReport (runs: ScaleRun[], ctx: ScaleContext): string {
  const table = markdownTable(
    ['mode', 'N', 'models held (N×m)', 'distinct', 'gossip index p50/p95 ms', 'gossip+peers p50/p95 ms', 'DHT p50/p95 ms', 'found g / g+p / dht', 'gossip KiB/node/min mean (max)', 'announcements heard /node/min', `same at a 60 s interval (× ${fmt(ctx.intervalMs / 60_000)})`, 'index entries/node mean (max)', 'index KiB/node', 'conns/node', 'RSS/node MiB', 'CPU ms/node/s', 'loop p99 ms', 'load 1m'],
    runs.map(r => [
      r.mode,
      String(r.nodes),
      String(r.holdings),
      String(r.distinct),
      `${ms(p(r, 'gossip', 50))} / ${ms(p(r, 'gossip', 95))}`,
      `${ms(p(r, 'lan', 50))} / ${ms(p(r, 'lan', 95))}`,
      `${ms(p(r, 'dht', 50))} / ${ms(p(r, 'dht', 95))}`,
      `${found(r, 'gossip')} · ${found(r, 'lan')} · ${found(r, 'dht')}`,
      `${kib(mean(r.gossipBytesPerMin))} (${kib(Math.max(...r.gossipBytesPerMin))})`,
      r.announcementsPerMin != null ? fmt(r.announcementsPerMin) : '',
      kib(mean(r.gossipBytesPerMin) * ctx.intervalMs / 60_000),
      `${fmt(mean(r.indexEntries))} (${Math.max(...r.indexEntries)})`,
      kib(mean(r.indexEntries) * ctx.entryBytes),
      fmt(mean(r.connections)),
      fmt(r.hostRssBytes / r.nodes / 2 ** 20),
      r.cpuMsPerNodePerS != null ? fmt(r.cpuMsPerNodePerS) : '',
      fmt(r.hostLoopDelayP99Ms),
      `${r.load[0].toFixed(2)}–${r.load[1].toFixed(2)}`
    ]),
    ['left', ...Array<'right'>(17).fill('right')]
  )
  return ['', `## Model discovery at fleet scale (loopback; ${ctx.modelsPerNode} models per node out of ${ctx.catalogue})`, '', table, '', ...targets(runs), '',
    `- Each node: a real libp2p node (own identity; the product's TCP/noise/yamux/kad-dht/gossipsub composition) running the product's NamedDiscovery; N nodes over ${ctx.hosts} host processes, the fresh nodes that ask in this process.`,
    `- Announce interval ${fmt(ctx.intervalMs / 1000)} s (the product's default is 60 s); traffic = every gossipsub byte a node sent or received during a ${fmt(ctx.windowMs / 1000)} s window after one interval of settling, scaled to a minute; the next column scales it to the product's 60 s interval by the ratio of announce rates (announcements, their forwards and the IHAVE/IWANT about them all scale with that rate; gossipsub's 1 s heartbeats do not, so the scaled figure slightly understates them); index KiB = entries × ${ctx.entryBytes.toFixed(0)} heap bytes per entry (measured in this run).`,
    '- gossip index: a fresh node up ≥ 2 s looks a name up in its index (fed by its bootstrap peer\'s `index` answer and gossip); gossip+peers: right after joining, the index then every connected peer asked; DHT: a provider walk alone. p95 is a miss when more than 5% missed.',
    `- machine: ${String(ctx.machine.cpus)} × ${String(ctx.machine.cpuModel)}, ${fmt(Number(ctx.machine.memoryBytes) / 2 ** 30)} GiB, Node ${String(ctx.machine.node)}; whole run ${fmt(ctx.runMs / 1000)} s.`,
    `- command: \`${ctx.command}\``, ''].join('\n')
}

/** The targets at the largest N (product defaults), and growth between the two largest N. */
function targets (runs: ScaleRun[]): string[] {
  const after = runs.filter(r => r.mode === 'after').sort((a, b) => a.nodes - b.nodes)
  const top = after.at(-1)
  if (top == null) return []
  const mark = (ok: boolean): string => ok ? '✓' : '✗'
  const lines = [
    `- target at N = ${top.nodes}: gossip p95 < ${SCALE_TARGETS.gossipP95Ms} ms: index ${ms(p(top, 'gossip', 95))} ms ${mark(p(top, 'gossip', 95) < SCALE_TARGETS.gossipP95Ms)}, gossip+peers ${ms(p(top, 'lan', 95))} ms ${mark(p(top, 'lan', 95) < SCALE_TARGETS.gossipP95Ms)}; DHT p95 < ${SCALE_TARGETS.dhtP95Ms} ms: ${ms(p(top, 'dht', 95))} ms ${mark(p(top, 'dht', 95) < SCALE_TARGETS.dhtP95Ms)}`
  ]
  const prev = after.at(-2)
  if (prev != null) {
    const models = top.distinct / prev.distinct
    const holdings = top.holdings / prev.holdings
    const traffic = mean(top.gossipBytesPerMin) / mean(prev.gossipBytesPerMin)
    const index = mean(top.indexEntries) / mean(prev.indexEntries)
    const limit = models * SCALE_TARGETS.growthSlack
    lines.push(`- target from N = ${prev.nodes} to ${top.nodes} (models announced ×${fmt(models)}, nodes × models ×${fmt(holdings)}): gossip traffic per node ×${fmt(traffic)} ${mark(traffic <= limit)}, index memory per node ×${fmt(index)} ${mark(index <= limit)} (✓: at most ${SCALE_TARGETS.growthSlack}× the growth of models announced)`)
  }
  for (const r of runs.filter(r => r.mode === 'before')) {
    const a = after.find(x => x.nodes === r.nodes)
    if (a == null) continue
    lines.push(`- N = ${r.nodes}, before → after (suppression and per-name bound): gossip ${kib(mean(r.gossipBytesPerMin))} → ${kib(mean(a.gossipBytesPerMin))} KiB/node/min, index ${fmt(mean(r.indexEntries))} → ${fmt(mean(a.indexEntries))} entries/node`)
  }
  for (const r of runs) if (r.unfindable > 0) lines.push(`- ⚠ ${r.mode} N = ${r.nodes}: ${r.unfindable} names still not findable through the DHT after ${fmt(r.propagationMs / 1000)} s (measured anyway)`)
  return lines
}
