/**
 * The numbers of `npm run bench:discovery`: one row per discovery path,
 * percentiles over every query (a miss counts as slower than any time), the
 * issue's targets, and the ratio to the baseline (a plain DHT provider lookup
 * of a file's CID, measured in the same run by the same fresh nodes).
 */
import { percentile } from './lib/percentile.ts'
import { fmt, markdownTable } from './lib/table.ts'

/** How a query looked for providers. */
export type Path = 'lan' | 'gossip' | 'dht' | 'cid'

export interface QueryResult {
  path: Path
  /** Model name, or `cid:<publisher>` for the baseline. */
  name: string
  /** Which fresh node asked. */
  fresh: number
  /** The fresh node's first DHT walk (model or CID): the routing table was as full as start-up left it. */
  cold: boolean
  /** How long the fresh node had been ready when the query started. */
  ageMs: number
  /** Until the first provider, measured inside the fresh node; null: none within timeoutMs. */
  ms: number | null
  via: string | null
  timeoutMs: number
}

export interface RowSummary {
  row: string
  label: string
  queries: number
  found: number
  p50: number
  p95: number
  max: number
  timeoutMs: number
  targetMs?: number
  met?: boolean
  /** p50 over the baseline's p50. */
  vsBaseline?: number
}

interface RowSpec {
  row: string
  label: string
  select(q: QueryResult): boolean
  targetMs?: number
  compare?: boolean
}

/** The targets, p95 of time to first provider. */
export const TARGETS = { gossipP95Ms: 100, dhtP95Ms: 1000 }

function rowSpecs (settleMs: number): RowSpec[] {
  return [
    { row: 'lan', label: 'gossip + peers (LAN)', select: q => q.path === 'lan', targetMs: TARGETS.gossipP95Ms },
    { row: 'gossip', label: `gossip index only (node up ≥ ${settleMs / 1000} s)`, select: q => q.path === 'gossip', targetMs: TARGETS.gossipP95Ms },
    { row: 'dht', label: 'DHT only', select: q => q.path === 'dht', targetMs: TARGETS.dhtP95Ms, compare: true },
    { row: 'dht-cold', label: '  of which first DHT walk of a fresh node', select: q => q.path === 'dht' && q.cold, targetMs: TARGETS.dhtP95Ms, compare: true },
    { row: 'cid', label: 'baseline: DHT provider lookup of a file CID', select: q => q.path === 'cid' },
    { row: 'cid-cold', label: '  of which first DHT walk of a fresh node', select: q => q.path === 'cid' && q.cold }
  ]
}

export function summarize (queries: QueryResult[], settleMs: number): RowSummary[] {
  const baseline = percentile(queries.filter(q => q.path === 'cid').map(q => q.ms), 50)
  return rowSpecs(settleMs).flatMap(spec => {
    const selected = queries.filter(q => spec.select(q))
    if (selected.length === 0) return []
    const times = selected.map(q => q.ms)
    const summary: RowSummary = {
      row: spec.row,
      label: spec.label,
      queries: selected.length,
      found: times.filter(t => t != null).length,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: percentile(times, 100),
      timeoutMs: Math.max(...selected.map(q => q.timeoutMs))
    }
    if (spec.targetMs != null) {
      summary.targetMs = spec.targetMs
      summary.met = summary.p95 < spec.targetMs
    }
    if (spec.compare === true && Number.isFinite(baseline) && baseline > 0) summary.vsBaseline = summary.p50 / baseline
    return [summary]
  })
}

export interface ReportContext {
  command: string
  machine: Record<string, unknown>
  peers: number
  modelsPerPeer: number
  fresh: number
  bootstrapPeers: number
  propagationMs: number
  /** Records still not findable when the wait for them gave up. */
  unfindable: number
  /** Median busy fraction of the machine just before each fresh node started. */
  busy: number
  runMs: number
}

export function renderReport (rows: RowSummary[], ctx: ReportContext): string {
  const ms = (v: number, timeoutMs: number): string => Number.isFinite(v) ? fmt(v) : `miss (> ${timeoutMs})`
  const table = markdownTable(
    ['path', 'queries', 'found', 'p50 ms', 'p95 ms', 'max ms', 'target p95', 'met?', 'p50 vs baseline'],
    rows.map(r => [
      r.label,
      String(r.queries),
      String(r.found),
      ms(r.p50, r.timeoutMs),
      ms(r.p95, r.timeoutMs),
      ms(r.max, r.timeoutMs),
      r.targetMs != null ? `< ${r.targetMs} ms` : '—',
      r.met == null ? '—' : r.met ? '✓' : '✗',
      r.vsBaseline != null ? `${r.vsBaseline.toFixed(2)}×` : '—'
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'right']
  )
  const m = ctx.machine
  return [
    '',
    `## Model discovery: time to first provider from a fresh node (${ctx.peers} peers × ${ctx.modelsPerPeer} models, loopback)`,
    '',
    table,
    '',
    `- ${ctx.fresh} fresh nodes, each bootstrapped to ${ctx.bootstrapPeers} random cluster peer(s), each asking for its own names once per path; times measured inside the fresh node, process start excluded.`,
    ctx.unfindable === 0
      ? `- DHT records (${ctx.peers * ctx.modelsPerPeer} names, ${ctx.peers} file CIDs) all findable from a probe node ${fmt(ctx.propagationMs / 1000)} s after publishing; whole run ${fmt(ctx.runMs / 1000)} s.`
      : `- ⚠ ${ctx.unfindable} of ${ctx.peers * ctx.modelsPerPeer + ctx.peers} DHT records were still not findable from a probe node after ${fmt(ctx.propagationMs / 1000)} s; whole run ${fmt(ctx.runMs / 1000)} s.`,
    `- With ${ctx.peers} stable nodes (fewer than k = 20) a walk is one or two hops: these numbers measure a fresh node's start-up (the first walk waits for the first self-query), the query machinery and the round trip to the provider, not the hop count of a large network.`,
    `- Fresh nodes and the probe are DHT servers that leave after their queries; kad-dht evicts a peer only when its bucket is full, so they stay in the cluster's routing tables and later fresh nodes meet more and more departed peers (${ctx.fresh + 1} by the last one), as a fleet of short-lived workers would.`,
    `- the machine was ${Math.round(ctx.busy * 100)}% busy (median, one-second sample before each fresh node: other processes plus the idle cluster)${ctx.busy >= 0.25 ? ' ⚠ times are inflated by other load' : ''}.`,
    `- machine: ${String(m.cpus)} × ${String(m.cpuModel)}, ${fmt(Number(m.memoryBytes) / 2 ** 30)} GiB, ${String(m.platform)}, Node ${String(m.node)}`,
    `- command: \`${ctx.command}\``,
    ''
  ].join('\n')
}
