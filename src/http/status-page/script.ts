/**
 * The page's script: polls `/status` (then `/status?since=` for the history
 * samples it lacks), keeps the history it was given (bounded: the node's own
 * window), and redraws every section. Everything from the node is written with
 * `textContent`, never as HTML: names and addresses come from other peers.
 */
import { CHARTS } from './charts.ts'

export function statusScript (pollMs: number): string {
  return `
const POLL_MS = ${pollMs}
const GROUPS = [['transfer', '#2a7ae2'], ['bitswap', '#e07b24'], ['gossip', '#1f9d6b'], ['dht', '#9b51e0'], ['other', '#98a2b3']]
const HOLDINGS = [['pins', 'Pins'], ['models', 'Models'], ['cache', 'Inference cache'], ['autoPins', 'Auto pins'], ['datasets', 'Datasets']]
const $ = id => document.getElementById(id)
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
function bytes (n) {
  let i = 0
  n = Math.max(0, n)
  while (n >= 1024 && i < UNITS.length - 1) { n /= 1024; i++ }
  return (i === 0 ? String(Math.round(n)) : n.toFixed(1)) + ' ' + UNITS[i]
}
const rate = n => bytes(n) + '/s'
const pct = f => (100 * f).toFixed(f > 0 && f < 0.1 ? 1 : 0) + ' %'
function duration (s) {
  if (s == null || !isFinite(s)) return 'unknown'
  s = Math.round(s)
  if (s < 60) return s + ' s'
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s'
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min'
}
const short = id => id.length > 20 ? id.slice(0, 8) + '…' + id.slice(-6) : id
function el (tag, props, ...children) {
  const e = document.createElement(tag)
  for (const k in props ?? {}) {
    if (k === 'style') e.style.cssText = props[k]
    else if (k === 'title' || k === 'className') e[k] = props[k]
    else e.setAttribute(k, props[k])
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return e
}
// a table, or the words saying why there is none
function fill (id, rows, headers, empty) {
  const host = $(id)
  if (rows.length === 0) { host.replaceChildren(el('p', { className: 'empty' }, empty)); host.dataset.rows = '0'; return }
  const head = el('tr', {}, ...headers.map(h => el('th', { className: h.endsWith(' ') ? 'r' : '' }, h.trim())))
  const body = rows.map(cells => el('tr', {}, ...cells.map((c, i) => el('td', { className: headers[i].endsWith(' ') ? 'r' : '' }, c))))
  host.replaceChildren(el('div', { className: 'scroll' }, el('table', {}, el('thead', {}, head), el('tbody', {}, ...body))))
  host.dataset.rows = String(rows.length)
}
${CHARTS}
let samples = []
let intervalMs = 2000
let previous
function merge (history, current) {
  intervalMs = history.intervalMs
  const last = samples.length > 0 ? samples[samples.length - 1].at : 0
  // the node restarted (its clock of samples went back): start over
  if (history.samples.length > 0 && history.samples[0].at < last && history.samples[history.samples.length - 1].at <= last) samples = []
  for (const s of history.samples) if (samples.length === 0 || s.at > samples[samples.length - 1].at) samples.push(s)
  const keep = current.at - 180 * intervalMs
  while (samples.length > 0 && samples[0].at < keep) samples.shift()
}
// rates between consecutive samples, with the counters read now as the last point
function rates (current, read) {
  const all = samples.concat(samples.length > 0 && current.at <= samples[samples.length - 1].at ? [] : [current])
  const out = []
  for (let i = 1; i < all.length; i++) {
    const dt = (all[i].at - all[i - 1].at) / 1000
    out.push([all[i].at, dt > 0 ? read(all[i], all[i - 1], dt) : null])
  }
  return out
}
// the window drawn: the last 6 minutes, or since the first sample when the node is younger (at least a minute)
function windowOf (current) {
  const t1 = current.at
  const first = samples.length > 0 ? samples[0].at : t1
  return [Math.min(t1 - 60000, Math.max(first, t1 - 180 * intervalMs)), t1]
}
function throughput (s, current) {
  const [t0, t1] = windowOf(current)
  $('window').textContent = 'last ' + duration((t1 - t0) / 1000) + ', stacked'
  const legend = []
  for (const dir of ['in', 'out']) {
    const series = GROUPS.map(([g, color]) => ({ name: g, color, points: rates(current, (a, b, dt) => Math.max(0, a.transfer[g][dir] - b.transfer[g][dir]) / dt) }))
    drawChart($('chart-' + dir), { t0, t1, series, stacked: true, base: 1024, format: rate })
    series.forEach((ser, i) => {
      const last = ser.points.length > 0 ? ser.points[ser.points.length - 1][1] ?? 0 : 0
      legend[i] = (legend[i] ?? '') + (dir === 'in' ? 'in ' + rate(last) : ', out ' + rate(last))
    })
  }
  $('legend').replaceChildren(...GROUPS.map(([g, color], i) => el('span', { 'data-group': g }, el('i', { style: 'background:' + color }), g + ': ' + legend[i])))
  const total = Object.values(current.transfer).reduce((n, t) => n + t.in + t.out, 0)
  $('throughput-empty').textContent = s.offline ? 'Offline: no libp2p, nothing moves over the network.' : total === 0 ? 'No bytes moved over libp2p yet: the chart fills as peers talk.' : ''
}
function repo (s) {
  const used = s.repo.bytes
  const max = s.gc.maxBytes
  $('repo-bytes').textContent = bytes(used)
  $('repo-bytes').dataset.bytes = String(used)
  $('repo-max').textContent = max > 0 ? 'of ' + bytes(max) + ' (' + pct(used / max) + ')' : ''
  const g = $('gauge')
  const scale = Math.max(max, used, 1)
  const pinned = Math.min(s.repo.pinnedBytes, used)
  g.replaceChildren(
    el('span', { style: 'left:0;width:' + (100 * pinned / scale) + '%;background:#2a7ae2', title: 'pinned ' + bytes(pinned) }),
    el('span', { style: 'left:' + (100 * pinned / scale) + '%;width:' + (100 * (used - pinned) / scale) + '%;background:#9fc3f5', title: 'unpinned ' + bytes(used - pinned) }),
    ...(max > 0 ? [el('span', { className: 'mark', style: 'left:calc(' + (100 * s.gc.targetBytes / scale) + '% - 1px)', title: 'gc watermark ' + bytes(s.gc.targetBytes) })] : []))
  $('gauge-legend').replaceChildren(
    el('span', {}, el('i', { style: 'background:#2a7ae2' }), 'pinned ' + bytes(pinned)),
    el('span', {}, el('i', { style: 'background:#9fc3f5' }), 'unpinned ' + bytes(used - pinned)),
    el('span', {}, el('i', { style: 'background:#b42318' }), 'gc watermark ' + bytes(s.gc.targetBytes) + ' (' + pct(s.gc.watermark) + ')'))
  $('gc').textContent = s.gc.intervalMs > 0
    ? 'Every ' + duration(s.gc.intervalMs / 1000) + ' automatic gc evicts unpinned content down to the watermark: ' + s.gc.runs + ' runs, ' + s.gc.failures + ' failed, ' + bytes(s.gc.freedBytes) + ' freed since start.'
    : 'Automatic gc is off (performance.gc_interval 0); ' + bytes(s.gc.freedBytes) + ' freed by gc and eviction since start.'
  fill('holdings', HOLDINGS.map(([key, label]) => {
    const h = s.holdings[key]
    return h == null ? [label, 'not on this node yet', ''] : [label, String(h.count), bytes(h.bytes)]
  }), ['What', 'Count ', 'Size '], '')
  $('blocks').textContent = s.repo.blocks + ' blocks, ' + s.repo.quarantined + ' quarantined (failed their hash) since start'
}
function pulls (s) {
  const before = new Map((previous?.pulls ?? []).map(p => [p.kind + p.name + '@' + p.started, p]))
  const dt = previous == null ? 0 : (s.now - previous.now) / 1000
  const host = $('pulls')
  $('pull-count').textContent = s.pulls.length === 0 ? '' : s.pulls.length + ' in progress'
  if (s.pulls.length === 0) { host.replaceChildren(el('p', { className: 'empty' }, s.offline ? 'Offline: this node cannot pull.' : 'No pulls in progress.')); host.dataset.rows = '0'; return }
  host.replaceChildren(...s.pulls.map(p => {
    const last = before.get(p.kind + p.name + '@' + p.started)
    const live = last != null && dt > 0 ? Math.max(0, (p.bytesDone - last.bytesDone) / dt) : p.rate
    const left = p.bytesTotal - p.bytesDone
    const eta = p.bytesTotal === 0 ? null : left <= 0 ? 0 : live > 0 ? left / live : p.etaSeconds
    const f = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0
    const providers = p.providers.length === 0 ? 'no blocks from providers yet' : p.providers.map(v => short(v.peer) + ' ' + bytes(v.bytes)).join(', ')
    return el('div', { className: 'pull', 'data-name': p.name },
      el('div', {}, el('b', {}, p.name + (p.revision != null ? '@' + p.revision : '')), ' ', el('span', { className: 'muted' }, p.kind)),
      el('div', { className: 'bar', title: pct(f) }, el('span', { style: 'width:' + (100 * f) + '%' })),
      el('div', { className: 'num' }, bytes(p.bytesDone) + ' of ' + (p.bytesTotal > 0 ? bytes(p.bytesTotal) + ' (' + pct(f) + ')' : 'unknown size') + ' · ' + rate(live) + ' · ETA ' + duration(eta)),
      el('div', { className: 'muted' }, p.peers + ' provider' + (p.peers === 1 ? '' : 's') + ': ' + providers + (p.file != null ? ' · ' + p.file : '')))
  }))
  host.dataset.rows = String(s.pulls.length)
}
function peers (s) {
  $('peer-count').textContent = s.peers + ' connection' + (s.peers === 1 ? '' : 's')
  fill('peers', s.connections.map(c => [short(c.peerId), c.direction === 'inbound' ? 'in' : 'out', c.rttMs == null ? 'measuring' : Math.round(c.rttMs) + ' ms', bytes(c.receivedBytes), bytes(c.sentBytes)]),
    ['Peer', 'Dir', 'Latency ', 'In ', 'Out '], s.offline ? 'Offline: no peers.' : 'No peers connected.')
  // the full id and address on hover (a phone's table has no room for them)
  $('peers').querySelectorAll('tbody tr').forEach((tr, i) => { const c = s.connections[i]; tr.title = c.peerId + ' at ' + c.address })
}
function cache (s, current) {
  const c = s.cache
  const lookups = c.hits + c.misses
  $('cache-rate').textContent = lookups === 0 ? '' : pct(c.hits / lookups) + ' hits overall'
  const points = rates(current, (a, b) => {
    const gets = (a.cacheHits - b.cacheHits) + (a.cacheMisses - b.cacheMisses)
    return gets > 0 ? 100 * (a.cacheHits - b.cacheHits) / gets : null
  })
  const [t0, t1] = windowOf(current)
  drawChart($('chart-cache'), { t0, t1, series: [{ name: 'hit rate', color: '#1f9d6b', points }], stacked: false, fixedMax: 100, format: v => Math.round(v) + ' %' })
  $('cache-empty').textContent = lookups === 0 ? 'No cache lookups yet: the chart shows the share of gets answered with a value.' : ''
  const sh = s.cacheSharing
  $('cache-figures').textContent = c.entries + ' entries, ' + bytes(c.bytes) + '; ' + c.hits + ' hits (' + c.remoteHits + ' from peers), ' + c.misses + ' misses, ' + c.evictions + ' evicted, ' + c.expirations + ' expired. Cluster: ' + sh.asksSent + ' asks sent, ' + sh.asksServed + ' served, ' + sh.hints + ' hints, ' + sh.ignoredPeers + ' peers ignored.'
}
function rest (s) {
  fill('held', s.models.held.map(m => [m.name, m.revision, m.origin, m.root]), ['Name', 'Revision', 'Origin', 'Root'], 'No models here yet: publish one, or pull one from peers.')
  const r = s.replication
  $('replication').replaceChildren(r == null || r.roots === 0
    ? el('p', { className: 'empty' }, 'No replicated roots: pin add --replicas N asks the cluster to keep N live copies of a root.')
    : el('dl', { className: 'kv' }, ...[['roots', r.roots], ['ok', r.ok], ['under min', r.under], ['over max', r.over], ['repairing', r.repairing]].flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v + ' roots')])))
  const ops = Object.entries(s.counts.operations).filter(([, n]) => n > 0).map(([k, n]) => k + ' ' + n).join(', ')
  $('operations').textContent = ops === '' ? 'none yet' : ops
  $('errors').textContent = String(s.counts.errors)
  $('block-reads').textContent = s.counts.cacheHits + ' local, ' + s.counts.cacheMisses + ' from peers or missing (' + bytes(s.counts.networkBytes) + ' fetched)'
  $('addresses').textContent = s.addresses.length === 0 ? 'none (offline)' : s.addresses.join('\\n')
}
async function poll () {
  try {
    const res = await fetch(samples.length === 0 ? 'status' : 'status?since=' + samples[samples.length - 1].at, { cache: 'no-store' })
    if (!res.ok) throw new Error('HTTP ' + res.status)
    const s = await res.json()
    merge(s.history, s.history.current)
    const current = s.history.current
    $('peer-id').textContent = s.peerId
    $('mode').textContent = s.offline ? 'offline' : 'online'
    $('mode').className = 'badge ' + (s.offline ? 'offline' : 'online')
    $('uptime').textContent = duration(s.uptimeMs / 1000)
    throughput(s, current)
    repo(s)
    pulls(s)
    peers(s)
    cache(s, current)
    rest(s)
    previous = s
    $('updated').textContent = new Date().toLocaleTimeString()
    $('updated').dataset.at = String(Date.now())
    $('error').textContent = ''
  } catch (err) {
    $('error').textContent = 'Cannot reach the node: ' + err.message + ' (retrying every ' + POLL_MS / 1000 + ' s)'
  }
  setTimeout(poll, POLL_MS)
}
poll()
`
}
