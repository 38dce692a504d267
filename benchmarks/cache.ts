/**
 * `npm run bench:cache`: is a kit.cache hit as cheap as a Redis GET, and does
 * the cache keep the hit rate of plain LRU? One run measures, per value size:
 *
 *   1. a local hit, in-process (`kit.cache.get`);
 *   2. a hit through the daemon's RPC (`ipfs-kit/cache/get` on a real `ipfs-kit daemon --offline`
 *      process, keep-alive HTTP from this process);
 *   3. the first hit of a key on a peer that does not have it (two online kits in this process,
 *      connected over loopback TCP): ask, verify the signed entry, fetch by CID, hash, admit;
 *   4. the baseline: Redis `GET` over loopback (Debian's `redis-server`, started here on a free
 *      port with persistence off, and stopped; client `redis`);
 *
 * and, to show where case 2's time goes, the floor under it: a bare Node `http` server process
 * answering the same bytes to the same client, with no ipfs-kit code at all.
 *
 * then put throughput (kit.cache.put vs Redis SET), and a replay of a Zipf-keyed trace with
 * TTLs through a cache of `max_entries` entries against a ten-line in-memory LRU of the same
 * capacity fed the same clock: the hit rates must agree within 1 %.
 *
 *   npm run bench:cache                          # 1 KiB and 256 KiB, 10,000 gets each
 *   npm run bench:cache -- --gets 2000 --remote 100
 */
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { RESP_TYPES, createClient } from 'redis'
import { createKit } from '../src/index.ts'
import { machine, writeResults } from './lib/results.ts'
import { fmt, fmtBytes, markdownTable } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import type { Kit } from '../src/index.ts'
import type { ChildProcess } from 'node:child_process'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const INSTALL_REDIS = 'sudo apt-get install -y redis-server'
/** Issue 13's targets: local p50 ≤ 0.5× Redis, RPC p50 ≤ 2× Redis, first remote hit p50 < 20 ms at 256 KiB. */
const TARGET_LOCAL = 0.5
const TARGET_RPC = 2
const TARGET_REMOTE_MS = 20
/** The hit rate must match the reference LRU's within this (absolute, as a fraction). */
const TARGET_HIT_RATE_DELTA = 0.01

const { values: opts } = parseArgs({
  options: {
    gets: { type: 'string', default: '10000' },
    remote: { type: 'string', default: '200' },
    puts: { type: 'string', default: '1000' },
    'trace-ops': { type: 'string', default: '10000' },
    'trace-keys': { type: 'string', default: '1000' },
    capacity: { type: 'string', default: '100' }
  }
})
const GETS = Number(opts.gets)
const REMOTE = Number(opts.remote)
const PUTS = Number(opts.puts)
const TRACE_OPS = Number(opts['trace-ops'])
const TRACE_KEYS = Number(opts['trace-keys'])
const CAPACITY = Number(opts.capacity)
const SIZES = [1024, 256 * 1024]

interface Latency { p50: number, p99: number, n: number }

function latency (samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number
  return { p50: at(0.5), p99: at(0.99), n: samples.length }
}

async function sample (n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    out.push(performance.now() - t)
  }
  return out
}

function valueOf (size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size)
  let x = (seed * 2654435761) >>> 0
  for (let i = 0; i < size; i++) { x = (x * 1103515245 + 12345) >>> 0; bytes[i] = x >>> 24 }
  return bytes
}

async function freePort (): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as net.AddressInfo).port
  server.close()
  await once(server, 'close')
  return port
}

async function startRedis (dir: string): Promise<{ child: ChildProcess, url: string }> {
  if (spawnSync('redis-server', ['--version']).error != null) {
    console.error(`redis-server is not installed; the baseline needs it: ${INSTALL_REDIS}`)
    process.exit(1)
  }
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'allkeys-lru'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', line => { if (line.includes('Ready to accept connections')) resolve() })
    child.once('exit', code => { reject(new Error(`redis-server exited ${String(code)}`)) })
  })
  return { child, url: `redis://127.0.0.1:${port}` }
}

async function startDaemon (dataDir: string): Promise<{ child: ChildProcess, api: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'daemon', '--offline', '--data-dir', dataDir, '--api', '127.0.0.1:0', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve)
    child.once('exit', code => { reject(new Error(`daemon exited ${String(code)} before it was ready`)) })
  })
  return { child, api: (JSON.parse(line) as { api: string }).api }
}

/** A Node `http` server doing nothing but answer `size` bytes: the floor under any Node HTTP API. */
async function startBareServer (size: number): Promise<{ child: ChildProcess, url: string }> {
  const code = `const body = Buffer.alloc(${size}, 7); const s = require('node:http').createServer((req, res) => { req.resume(); res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length }); res.end(body) }); s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => console.log(s.address().port))`
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve)
    child.once('exit', code => { reject(new Error(`bare server exited ${String(code)}`)) })
  })
  return { child, url: `http://127.0.0.1:${port}` }
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** One keep-alive connection, as a worker's client would hold it. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
async function post (url: string, body?: Uint8Array, type?: string): Promise<{ status: number, body: Buffer }> {
  return await new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: type == null ? {} : { 'Content-Type': type } }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}
function multipart (value: Uint8Array): { body: Uint8Array, type: string } {
  const boundary = 'bench-boundary-7f3a'
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="v"\r\nContent-Type: application/octet-stream\r\n\r\n`)
  return { body: Buffer.concat([head, value, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` }
}

/** Zipf(s = 1) ranks over `keys`, by inverse CDF, from a seeded generator. */
function zipfTrace (ops: number, keys: number, seed = 7): number[] {
  const cdf: number[] = []
  let sum = 0
  for (let k = 1; k <= keys; k++) { sum += 1 / k; cdf.push(sum) }
  let x = seed
  const rand = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648 }
  return Array.from({ length: ops }, () => {
    const u = rand() * sum
    let lo = 0
    let hi = keys - 1
    while (lo < hi) { const mid = (lo + hi) >> 1; if ((cdf[mid] as number) < u) lo = mid + 1; else hi = mid }
    return lo
  })
}

/** The reference: LRU by a Map's insertion order, expiry checked on read, nothing swept. */
class ReferenceLru {
  private readonly items = new Map<number, number>()
  constructor (private readonly capacity: number) {}
  get (key: number, now: number): boolean {
    const expires = this.items.get(key)
    if (expires == null) return false
    this.items.delete(key)
    if (expires <= now) return false
    this.items.set(key, expires)
    return true
  }

  put (key: number, expires: number): void {
    this.items.delete(key)
    this.items.set(key, expires)
    while (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value as number)
  }
}

/** Key k's TTL: a third of the keys live 300 ms, a third 3 s, a third an hour (the replay takes seconds). */
const ttlOf = (k: number): number => [300, 3000, 3_600_000][k % 3] as number

await withTempDir('ipfs-kit-bench-cache-', async dir => {
  const redis = await startRedis(dir)
  const client = createClient({ url: redis.url }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
  await client.connect()
  const daemon = await startDaemon(path.join(dir, 'daemon'))
  const a = await createKit({ dataDir: path.join(dir, 'a'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], env: {}, config: { ipfs_kit: { cache: { sweep_interval: '1h' } } } })
  const b = await createKit({ dataDir: path.join(dir, 'b'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], env: {}, config: { ipfs_kit: { cache: { sweep_interval: '1h' } } } })
  const kits: Kit[] = [a, b]
  const rows: string[][] = []
  const results: Record<string, unknown>[] = []
  try {
    await b.dial(a.addresses()[0] as string)
    for (const size of SIZES) {
      const label = fmtBytes(size)
      const value = valueOf(size, size)
      console.error(`${label}: filling…`)
      await a.cache.put(`hot-${size}`, value)
      await client.set(`hot-${size}`, Buffer.from(value))
      const { body, type } = multipart(value)
      const put = await post(`${daemon.api}/api/v0/ipfs-kit/cache/put?arg=hot-${size}`, body, type)
      if (put.status !== 200) throw new Error(`daemon put: ${put.status} ${put.body.toString()}`)

      console.error(`${label}: ${GETS} gets each…`)
      const redisGet = latency(await sample(GETS, async () => {
        const got = await client.get(`hot-${size}`)
        if (got == null || got.length !== size) throw new Error('redis: wrong value')
      }))
      const localGet = latency(await sample(GETS, async () => {
        const got = await a.cache.get(`hot-${size}`, { remote: false })
        if (got?.byteLength !== size) throw new Error('local: wrong value')
      }))
      const rpcGet = latency(await sample(GETS, async () => {
        const got = await post(`${daemon.api}/api/v0/ipfs-kit/cache/get?arg=hot-${size}`)
        if (got.status !== 200 || got.body.length !== size) throw new Error(`rpc: ${got.status}`)
      }))
      const bare = await startBareServer(size)
      let floorGet: Latency
      try {
        floorGet = latency(await sample(GETS, async () => {
          const got = await post(`${bare.url}/api/v0/ipfs-kit/cache/get?arg=hot-${size}`)
          if (got.status !== 200 || got.body.length !== size) throw new Error(`bare: ${got.status}`)
        }))
      } finally {
        await stop(bare.child)
      }

      console.error(`${label}: ${REMOTE} first remote hits…`)
      for (let i = 0; i < REMOTE; i++) await a.cache.put(`remote-${size}-${i}`, valueOf(size, i + 1))
      const remoteHits0 = b.cache.stats().remoteHits
      const remoteGet = latency(await sample(REMOTE, async i => {
        const got = await b.cache.get(`remote-${size}-${i}`)
        if (got?.byteLength !== size) throw new Error('remote: miss')
      }))
      if (b.cache.stats().remoteHits - remoteHits0 !== REMOTE) throw new Error('remote: not every hit came from the peer')
      // where a remote hit's time goes: the ask alone (the peer answers a miss) is one protocol round trip
      const askOnly = latency(await sample(REMOTE, async i => { await b.cache.get(`absent-${size}-${i}`) }))

      const ratio = (x: Latency): string => `${(x.p50 / redisGet.p50).toFixed(2)}×`
      const mark = (ok: boolean): string => ok ? '✓' : '✗'
      rows.push(
        [label, '4. Redis GET, loopback (baseline)', String(redisGet.n), fmt(redisGet.p50 * 1000), fmt(redisGet.p99 * 1000), '1.00×', ''],
        [label, '1. kit.cache.get, local hit, in-process', String(localGet.n), fmt(localGet.p50 * 1000), fmt(localGet.p99 * 1000), ratio(localGet), `${mark(localGet.p50 <= TARGET_LOCAL * redisGet.p50)} ≤ ${TARGET_LOCAL}×`],
        [label, '2. RPC cache/get on the daemon', String(rpcGet.n), fmt(rpcGet.p50 * 1000), fmt(rpcGet.p99 * 1000), ratio(rpcGet), `${mark(rpcGet.p50 <= TARGET_RPC * redisGet.p50)} ≤ ${TARGET_RPC}×`],
        [label, '   floor: bare Node http server, same client', String(floorGet.n), fmt(floorGet.p50 * 1000), fmt(floorGet.p99 * 1000), ratio(floorGet), ''],
        [label, '3. first remote hit from a peer', String(remoteGet.n), fmt(remoteGet.p50 * 1000), fmt(remoteGet.p99 * 1000), ratio(remoteGet), size === 256 * 1024 ? `${mark(remoteGet.p50 < TARGET_REMOTE_MS)} < ${TARGET_REMOTE_MS} ms` : ''],
        [label, '   of which: ask a peer, answered miss', String(askOnly.n), fmt(askOnly.p50 * 1000), fmt(askOnly.p99 * 1000), ratio(askOnly), '']
      )

      console.error(`${label}: ${PUTS} puts each…`)
      const t0 = performance.now()
      for (let i = 0; i < PUTS; i++) await client.set(`put-${size}-${i}`, Buffer.from(valueOf(size, i + 7)))
      const redisPutsPerS = PUTS / ((performance.now() - t0) / 1000)
      const t1 = performance.now()
      for (let i = 0; i < PUTS; i++) await a.cache.put(`put-${size}-${i}`, valueOf(size, i + 7))
      const kitPutsPerS = PUTS / ((performance.now() - t1) / 1000)
      rows.push(
        [label, 'put: Redis SET', String(PUTS), `${fmt(redisPutsPerS)} ops/s`, '', '1.00×', ''],
        [label, 'put: kit.cache.put (store + hold + record)', String(PUTS), `${fmt(kitPutsPerS)} ops/s`, '', `${(kitPutsPerS / redisPutsPerS).toFixed(2)}×`, '']
      )
      results.push({ size, gets: GETS, redisGet, localGet, rpcGet, floorGet, remoteGet, askOnly, redisPutsPerS, kitPutsPerS })
    }

    console.error(`trace: ${TRACE_OPS} ops over ${TRACE_KEYS} Zipf keys, capacity ${CAPACITY}…`)
    const c = await createKit({ dataDir: path.join(dir, 'c'), offline: true, env: {}, config: { ipfs_kit: { cache: { max_entries: CAPACITY, sweep_interval: '1h' } } } })
    kits.push(c)
    const reference = new ReferenceLru(CAPACITY)
    let hits = 0
    let refHits = 0
    const small = valueOf(100, 1)
    for (const k of zipfTrace(TRACE_OPS, TRACE_KEYS)) {
      const now = Date.now()
      const hit = await c.cache.get(`z${k}`, { remote: false }) != null
      const refHit = reference.get(k, now)
      if (hit) hits++
      if (refHit) refHits++
      if (!hit) await c.cache.put(`z${k}`, small, { ttl: ttlOf(k) })
      if (!refHit) reference.put(k, Date.now() + ttlOf(k))
    }
    const hitRate = hits / TRACE_OPS
    const refRate = refHits / TRACE_OPS
    const stats = c.cache.stats()
    rows.push(['trace', `Zipf replay, LRU ${CAPACITY} entries, TTLs 300 ms/3 s/1 h`, String(TRACE_OPS), `hit rate ${(hitRate * 100).toFixed(2)} %`, `reference ${(refRate * 100).toFixed(2)} %`, `Δ ${((hitRate - refRate) * 100).toFixed(2)} pt`, `${Math.abs(hitRate - refRate) <= TARGET_HIT_RATE_DELTA ? '✓' : '✗'} ≤ 1 pt`])

    console.log(markdownTable(['size', 'case', 'n', 'p50 µs', 'p99 µs', 'p50 / Redis', 'target'], rows, ['left', 'left', 'right', 'right', 'right', 'right', 'left']))
    console.log(`\nnode ${process.version}; ${(machine().cpuModel as string | undefined) ?? ''} × ${String(machine().cpus)}; Redis ${spawnSync('redis-server', ['--version']).stdout.toString().split(' ')[2] ?? ''} (client redis, one connection); trace evictions ${stats.evictions}, expirations ${stats.expirations}`)
    console.log(`reproduce: npm run bench:cache -- --gets ${GETS} --remote ${REMOTE} --puts ${PUTS} --trace-ops ${TRACE_OPS} --trace-keys ${TRACE_KEYS} --capacity ${CAPACITY}`)
    const out = await writeResults('cache', { machine: machine(), sizes: results, trace: { ops: TRACE_OPS, keys: TRACE_KEYS, capacity: CAPACITY, hitRate, referenceHitRate: refRate, evictions: stats.evictions, expirations: stats.expirations } })
    console.error(`results: ${out}`)
  } finally {
    agent.destroy()
    await client.quit().catch(() => {})
    await Promise.allSettled(kits.map(async kit => { await kit.stop() }))
    await stop(daemon.child)
    await stop(redis.child)
  }
})
