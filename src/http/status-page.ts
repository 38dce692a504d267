/**
 * The status page served at `/`: plain HTML and one inline script (no build
 * step) that polls `/status` and shows peers, repo size and pins, models held
 * and being pulled, and live transfer rates computed between two polls.
 * Everything from the node is written with `textContent`, never as HTML: model
 * names come from other peers.
 */
import { createHash } from 'node:crypto'
import { STATUS_PAGE_POLL_MS } from '../constants.ts'

const SCRIPT = `
const POLL_MS = ${STATUS_PAGE_POLL_MS}
const $ = id => document.getElementById(id)
const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
function bytes (n) {
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return (i === 0 ? String(n) : n.toFixed(1)) + ' ' + units[i]
}
const rate = n => bytes(Math.max(0, Math.round(n))) + '/s'
function rows (tbody, items, cells) {
  tbody.replaceChildren(...items.map(item => {
    const tr = document.createElement('tr')
    for (const text of cells(item)) {
      const td = document.createElement('td')
      td.textContent = text
      tr.append(td)
    }
    return tr
  }))
}
let previous
async function poll () {
  try {
    const res = await fetch('status', { cache: 'no-store' })
    if (!res.ok) throw new Error('HTTP ' + res.status)
    const s = await res.json()
    const now = Date.now()
    const dt = previous == null ? 0 : (now - previous.at) / 1000
    $('peer-id').textContent = s.peerId
    $('mode').textContent = s.offline ? 'offline' : 'online'
    $('peers').textContent = String(s.peers)
    $('repo-bytes').textContent = bytes(s.repo.bytes)
    $('repo-bytes').dataset.bytes = String(s.repo.bytes)
    $('blocks').textContent = String(s.repo.blocks)
    $('pins').textContent = String(s.repo.pins)
    $('pinned-bytes').textContent = bytes(s.repo.pinnedBytes)
    $('quarantined').textContent = String(s.repo.quarantined)
    $('uptime').textContent = Math.round(s.uptimeMs / 1000) + ' s'
    const ops = s.counts.operations
    $('operations').textContent = Object.entries(ops).filter(([, n]) => n > 0).map(([k, n]) => k + ' ' + n).join(', ') || 'none yet'
    $('cache').textContent = s.counts.cacheHits + ' local, ' + s.counts.cacheMisses + ' from peers or missing (' + bytes(s.counts.networkBytes) + ' fetched)'
    const c = s.cache
    $('inference-cache').textContent = c.entries + ' entries, ' + bytes(c.bytes) + '; ' + c.hits + ' hits (' + c.remoteHits + ' from peers), ' + c.misses + ' misses, ' + c.evictions + ' evicted, ' + c.expirations + ' expired'
    rows($('addresses'), s.addresses.length === 0 ? ['(none: offline)'] : s.addresses, a => [a])
    rows($('held'), s.models.held, m => [m.name, m.revision, m.origin, m.root])
    const before = new Map((previous?.status.models.pulling ?? []).map(p => [p.name + '@' + p.started, p]))
    rows($('pulling'), s.models.pulling, p => {
      const last = before.get(p.name + '@' + p.started)
      const live = last != null && dt > 0 ? (p.bytesDone - last.bytesDone) / dt : p.rate
      const pct = p.bytesTotal > 0 ? ' (' + (100 * p.bytesDone / p.bytesTotal).toFixed(0) + '%)' : ''
      return [p.name, bytes(p.bytesDone) + ' of ' + bytes(p.bytesTotal) + pct, rate(live), String(p.peers), p.file ?? '']
    })
    $('pulling-empty').hidden = s.models.pulling.length > 0
    rows($('transfer'), Object.entries(s.transfer), ([protocol, t]) => {
      const last = previous?.status.transfer[protocol]
      const inRate = last != null && dt > 0 ? (t.received - last.received) / dt : 0
      const outRate = last != null && dt > 0 ? (t.sent - last.sent) / dt : 0
      return [protocol, rate(inRate), rate(outRate), bytes(t.received), bytes(t.sent)]
    })
    previous = { at: now, status: s }
    $('updated').textContent = new Date(now).toLocaleTimeString()
    $('updated').dataset.at = String(now)
    $('error').textContent = ''
  } catch (err) {
    $('error').textContent = 'cannot reach the node: ' + err.message
  }
  setTimeout(poll, POLL_MS)
}
poll()
`

/** The CSP hash of the inline script: the page may run it and nothing else. */
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64')

export const STATUS_PAGE_CSP = `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`

export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ipfs-kit status</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222 }
h1 { font-size: 1.3rem } h2 { font-size: 1.05rem; margin-top: 1.5rem }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem }
dt { color: #666 } dd { margin: 0; font-family: ui-monospace, monospace }
table { border-collapse: collapse } td, th { padding: .2rem .8rem .2rem 0; text-align: left; font-family: ui-monospace, monospace }
th { color: #666; font-family: inherit; font-weight: normal } #error { color: #b00 }
</style>
</head>
<body>
<h1>ipfs-kit node</h1>
<p id="error"></p>
<dl>
<dt>Peer id</dt><dd id="peer-id">…</dd>
<dt>Mode</dt><dd id="mode">…</dd>
<dt>Connected peers</dt><dd id="peers">…</dd>
<dt>Repo size</dt><dd id="repo-bytes">…</dd>
<dt>Blocks</dt><dd id="blocks">…</dd>
<dt>Pins</dt><dd id="pins">…</dd>
<dt>Held by pins</dt><dd id="pinned-bytes">…</dd>
<dt>Quarantined blocks</dt><dd id="quarantined">…</dd>
<dt>Operations</dt><dd id="operations">…</dd>
<dt>Block reads</dt><dd id="cache">…</dd>
<dt>Inference cache</dt><dd id="inference-cache">…</dd>
<dt>Uptime</dt><dd id="uptime">…</dd>
<dt>Updated</dt><dd id="updated">…</dd>
</dl>
<h2>Listen addresses</h2>
<table><tbody id="addresses"></tbody></table>
<h2>Models held</h2>
<table><thead><tr><th>Name</th><th>Revision</th><th>Origin</th><th>Root</th></tr></thead><tbody id="held"></tbody></table>
<h2>Models being pulled</h2>
<p id="pulling-empty">none</p>
<table><thead><tr><th>Name</th><th>Progress</th><th>Rate</th><th>Peers</th><th>File</th></tr></thead><tbody id="pulling"></tbody></table>
<h2>Transfer per protocol</h2>
<table><thead><tr><th>Protocol</th><th>In</th><th>Out</th><th>Received</th><th>Sent</th></tr></thead><tbody id="transfer"></tbody></table>
<script>${SCRIPT}</script>
</body>
</html>
`
