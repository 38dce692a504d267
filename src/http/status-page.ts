/**
 * The status page served at `/`: one HTML document with its stylesheet and
 * one inline script (no build step, nothing fetched but `/status`, so it
 * works offline and behind any firewall). It shows throughput per protocol
 * over the last minutes, the repo against its ceiling and gc watermark with
 * what holds it, pulls in progress, peers, the inference cache's hit rate
 * over time, models held, and a slot for replication health. The CSP lets
 * the page run its own script and connect to its own origin, nothing else.
 */
import { createHash } from 'node:crypto'
import { STATUS_PAGE_POLL_MS } from '../constants.ts'
import { statusScript } from './status-page/script.ts'
import { STYLE } from './status-page/style.ts'

const SCRIPT = statusScript(STATUS_PAGE_POLL_MS)

/** The CSP hash of the inline script: the page may run it and nothing else. */
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64')

export const STATUS_PAGE_CSP = `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; img-src 'none'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`

export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ipfs-kit status</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>ipfs-kit node</h1>
<span class="meta"><span id="mode" class="badge">…</span></span>
<span class="meta">peer <b id="peer-id" class="mono">…</b></span>
<span class="meta">up <b id="uptime">…</b></span>
<span class="meta">updated <b id="updated">…</b></span>
</header>
<p id="error" role="alert"></p>
<main>
<section class="wide" id="throughput">
<h2>Throughput per protocol <small id="window"></small></h2>
<div class="charts">
<div><h3>In (received)</h3><div class="chart tall" id="chart-in"></div></div>
<div><h3>Out (sent)</h3><div class="chart tall" id="chart-out"></div></div>
</div>
<div class="legend" id="legend"></div>
<p class="empty" id="throughput-empty"></p>
</section>
<section id="repo">
<h2>Repo <small id="repo-max"></small></h2>
<div class="num"><b id="repo-bytes">…</b> stored</div>
<div class="gauge" id="gauge"></div>
<div class="legend" id="gauge-legend"></div>
<p class="muted" id="gc"></p>
<div id="holdings"></div>
<p class="muted" id="blocks"></p>
</section>
<section id="pulls-section">
<h2>Pulls <small id="pull-count"></small></h2>
<div id="pulls"></div>
</section>
<section id="peers-section">
<h2>Peers <small id="peer-count"></small></h2>
<div id="peers"></div>
<p class="muted" style="font-size:.8rem">In: verified blocks the peer served us; out: blocks we served it (transfer protocol, since start). Latency: libp2p's ping, every 10 s.</p>
</section>
<section id="cache">
<h2>Inference cache <small id="cache-rate"></small></h2>
<h3 class="muted" style="font-size:.8rem;font-weight:normal;margin:0">Hit rate per 2 s</h3>
<div class="chart" id="chart-cache"></div>
<p class="empty" id="cache-empty"></p>
<p class="muted" id="cache-figures"></p>
</section>
<section id="models">
<h2>Models held</h2>
<div id="held"></div>
</section>
<section id="replication-section">
<h2>Replication</h2>
<div id="replication"></div>
</section>
<section id="node">
<h2>Node</h2>
<dl class="kv">
<dt>Operations</dt><dd id="operations">…</dd>
<dt>Errors</dt><dd id="errors">…</dd>
<dt>Block reads</dt><dd id="block-reads">…</dd>
<dt>Listening on</dt><dd id="addresses" class="mono" style="white-space:pre-line">…</dd>
</dl>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`
