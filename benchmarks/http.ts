/**
 * `npm run bench:http`: what does the daemon's HTTP layer cost per request,
 * against a bare Node `http` server answering the same bytes from memory in
 * the same run? autocannon drives, in turn: RPC `cat` of a 1 MiB file, the
 * gateway's `GET /ipfs/<cid>` of it, RPC `block/stat` of it, and `/metrics`; each against the daemon (a real
 * `ipfs-kit daemon --offline` process) and then the bare server (another
 * process). Prints a markdown table (req/s, p50/p99 latency, errors, the
 * ratio to the bare server) and writes benchmarks/results/http.json.
 *
 *   npm run bench:http                                  # 100 connections, 20 s per case, 1 MiB file
 *   npm run bench:http -- --connections 32 --duration 5 --size 16KiB
 *
 * Connections stay under RPC_MAX_CONCURRENT_REQUESTS (128): past it the daemon answers 429 by design.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { parseSize } from '../src/config/units.ts'
import { machine, writeResults } from './lib/results.ts'
import { fmt, fmtBytes, fmtRatio, markdownTable } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import type { ChildProcess } from 'node:child_process'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The daemon should answer at least half the bare server's requests per second (issue 6). */
const TARGET_RATIO = 0.5

const { values: opts } = parseArgs({
  options: {
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '20' },
    size: { type: 'string', default: '1MiB' }
  }
})
const connections = Number(opts.connections)
const duration = Number(opts.duration)
const size = parseSize(opts.size ?? '16KiB') ?? 16 * 1024

interface Measured { rps: number, p50: number, p99: number, errors: number, non2xx: number, requests: number }

async function load (url: string, method: 'GET' | 'POST'): Promise<Measured> {
  const result = await autocannon({ url, method, connections, duration })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total
  }
}

/** Start a child and wait for its first stdout line (JSON). */
async function startChild (args: string[]): Promise<{ child: ChildProcess, ready: any }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve)
    child.once('exit', code => { reject(new Error(`${args.join(' ')} exited ${String(code)} before it was ready`)) })
  })
  return { child, ready: JSON.parse(line) }
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode != null) return
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** Peak RSS of a running process, from /proc (Linux). */
async function peakRss (pid: number | undefined): Promise<number | undefined> {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(await fs.readFile(`/proc/${pid}/status`, 'utf8'))
    return match == null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

const BARE_SERVER = `
const http = require('node:http'); const fs = require('node:fs')
const bodies = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'))
const bytes = Object.fromEntries(Object.entries(bodies).map(([p, b]) => [p, { type: b.type, body: Buffer.from(b.body, 'base64') }]))
const server = http.createServer((req, res) => {
  const hit = bytes[new URL(req.url, 'http://x').pathname]
  if (hit == null) { res.writeHead(404); res.end(); return }
  res.writeHead(200, { 'Content-Type': hit.type, 'Content-Length': hit.body.length }); res.end(hit.body)
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port })))
`

await withTempDir('ipfs-kit-bench-http-', async dir => {
  const daemon = await startChild(['--import', 'tsx', 'src/cli/entry.ts', 'daemon', '--offline', '--data-dir', path.join(dir, 'repo'), '--api', '127.0.0.1:0', '--gateway', '127.0.0.1:0', '--json'])
  const api = daemon.ready.api as string
  const gateway = daemon.ready.gateway as string
  try {
    const file = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 0xff)
    const form = new FormData()
    form.append('file', new Blob([file]), 'bench.bin')
    const added = await (await fetch(`${api}/api/v0/add`, { method: 'POST', body: form })).json() as { Hash: string }
    const cid = added.Hash
    const stat = await (await fetch(`${api}/api/v0/block/stat?arg=${cid}`, { method: 'POST' })).text()
    const metricsText = await (await fetch(`${api}/metrics`)).text()

    // the bare server answers the same paths with the same bytes, from memory
    const cases = [
      { name: `cat ${fmtBytes(size)}`, base: api, path: '/api/v0/cat', query: `?arg=${cid}`, method: 'POST' as const, type: 'text/plain', body: Buffer.from(file) },
      { name: `gateway ${fmtBytes(size)}`, base: gateway, path: `/ipfs/${cid}`, query: '', method: 'GET' as const, type: 'application/octet-stream', body: Buffer.from(file) },
      { name: 'block/stat', base: api, path: '/api/v0/block/stat', query: `?arg=${cid}`, method: 'POST' as const, type: 'application/json', body: Buffer.from(stat) },
      { name: '/metrics', base: api, path: '/metrics', query: '', method: 'GET' as const, type: 'text/plain', body: Buffer.from(metricsText) }
    ]
    const bodiesFile = path.join(dir, 'bodies.json')
    await fs.writeFile(bodiesFile, JSON.stringify(Object.fromEntries(cases.map(c => [c.path, { type: c.type, body: c.body.toString('base64') }]))))
    const bare = await startChild(['-e', BARE_SERVER, bodiesFile])

    const results: Array<{ case: string, daemon: Measured, bare: Measured, ratio: number }> = []
    try {
      for (const c of cases) {
        console.error(`${c.name}: daemon…`)
        const measuredDaemon = await load(`${c.base}${c.path}${c.query}`, c.method)
        console.error(`${c.name}: bare server…`)
        const measuredBare = await load(`${bare.ready.url as string}${c.path}${c.query}`, c.method)
        results.push({ case: c.name, daemon: measuredDaemon, bare: measuredBare, ratio: measuredDaemon.rps / measuredBare.rps })
      }
    } finally {
      await stop(bare.child)
    }
    const rss = await peakRss(daemon.child.pid)

    const rows = results.flatMap(r => [
      [r.case, 'daemon', fmt(r.daemon.rps), fmt(r.daemon.p50), fmt(r.daemon.p99), String(r.daemon.errors + r.daemon.non2xx), fmtRatio(r.ratio, TARGET_RATIO)],
      ['', 'bare node http', fmt(r.bare.rps), fmt(r.bare.p50), fmt(r.bare.p99), String(r.bare.errors + r.bare.non2xx), '']
    ])
    console.log(markdownTable(['case', 'server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'daemon / bare'], rows, ['left', 'left', 'right', 'right', 'right', 'right', 'left']))
    console.log(`\n${connections} connections, ${duration} s per case; daemon peak RSS ${rss == null ? '—' : fmtBytes(rss)}; node ${process.version}`)
    console.log(`reproduce: npm run bench:http -- --connections ${connections} --duration ${duration} --size ${opts.size}`)
    const out = await writeResults('http', { machine: machine(), connections, duration, size, daemonPeakRss: rss, results })
    console.error(`results: ${out}`)
  } finally {
    await stop(daemon.child)
  }
})
