/**
 * `npm run bench:tiers`: does the cold tier move data as fast as the raw AWS SDK, in few requests,
 * and is the hot tier worth having? One run, against s3rver on loopback (its own process):
 *
 *   1. store 1 GiB to the cold tier (`store(file, { backends: ['s3'] })`: import, pack, upload,
 *      free the disk) vs the raw SDK's multipart upload of the same file (parts of `pack_size`);
 *   2. cold retrieve of that 1 GiB (`storage.stream`, every block hashed) vs the raw SDK's
 *      `GetObject` of the uploaded object, streamed;
 *   3. S3 requests per GiB stored and read (the kit's own counts);
 *   4. hot vs warm retrieve of a 64 MiB file (the same kit data, memory cache on vs off);
 *   5. peak RSS of this process, the kit's alone: the server and the raw SDK baseline run in child
 *      processes (benchmarks/tiers-s3rver.ts, tiers-raw.ts), each timing itself.
 *
 *   npm run bench:tiers      (the kit's process with the daemon's Node flags, DAEMON_NODE_FLAGS, and
 *                             the built kit, dist/: tsx's copies of the transpiled sources are ~20 MB
 *                             of RSS the shipped kit does not have; this file and its helpers run
 *                             through Node's own type stripping, not tsx: no loader in the process)
 *   npx tsx benchmarks/tiers.ts   (the kit from src/ through tsx)
 *   npm run bench:tiers -- --size 256MiB --hot-size 64MiB --runs 3
 *   TIERS_BENCH_PROF=/tmp/prof npm run bench:tiers -- --size 256MiB   (CPU profile of the cold retrieve)
 *   TIERS_BENCH_MEMORY=1 npm run bench:tiers -- --runs 3   (heap, external and arrayBuffers at each phase's peak, per run)
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { Session } from 'node:inspector/promises'
import fs from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseSize } from '../src/config/units.ts'
import { drain, writeRandomFile } from './lib/data.ts'
import { mbPerSecond, median, peakRss, timed } from './lib/measure.ts'
import { fmt, fmtBytes, fmtRatio, markdownTable } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import type { Kit, KitConfigInput } from '../src/index.ts'
import type { Readable } from 'node:stream'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// IPFS_KIT_PEER_RUNTIME=dist (the npm script, after its build): the kit as shipped; otherwise its TypeScript (run this file through tsx)
const { createKit } = (process.env.IPFS_KIT_PEER_RUNTIME === 'dist'
  ? await import(path.join(ROOT, 'dist', 'src', 'index.js'))
  : await import('../src/index.ts')) as typeof import('../src/index.ts')
const GiB = 1024 ** 3
const TARGET_STORE = 0.8
const TARGET_RETRIEVE = 0.8
const TARGET_PUTS_PER_GIB = 64
const TARGET_GETS_PER_GIB = 32
const TARGET_HOT = 2
const TARGET_RSS_MB = 300
const KEY = 'S3RVER'
const BUCKET = 'bench'

const { values: opts } = parseArgs({ options: { size: { type: 'string', default: '1GiB' }, 'hot-size': { type: 'string', default: '64MiB' }, runs: { type: 'string', default: '1' } } })
const SIZE = parseSize(opts.size) as number
const HOT_SIZE = parseSize(opts['hot-size']) as number
const RUNS = Number(opts.runs)
const PACK_SIZE = 64 * 1024 * 1024

/** With TIERS_BENCH_PROF=<dir>: a V8 CPU profile of one phase of this process, written there on stop. */
async function profile (name: string): Promise<() => Promise<void>> {
  const out = process.env.TIERS_BENCH_PROF
  if (out == null || out === '') return async () => {}
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    await fs.mkdir(out, { recursive: true })
    await fs.writeFile(path.join(out, `${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile))
    session.disconnect()
  }
}

await withTempDir('ipfs-kit-bench-tiers-', async dir => {
  await fs.mkdir(path.join(dir, 's3'))
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'benchmarks', 'tiers-s3rver.ts'), path.join(dir, 's3'), BUCKET], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const [line] = await once(createInterface({ input: server.stdout as Readable }), 'line') as [string]
  const endpoint = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`
  // each run its own prefix: a kit pointed at packs an earlier run uploaded finds its blocks there and uploads nothing
  const config = (memory: string, run = 0): KitConfigInput => ({
    ipfs_kit: {
      performance: { memory_cache_size: memory },
      storage_policy: { auto_tier: false },
      backends: { s3: { enabled: true, bucket: BUCKET, region: 'us-east-1', endpoint, access_key_id: KEY, secret_access_key: KEY, force_path_style: true, prefix: `kit-${run}/`, pack_size: PACK_SIZE } }
    }
  })
  try {
    const file = path.join(dir, 'input.bin')
    await writeRandomFile(file, SIZE)
    const rows: string[][] = []
    // the peak RSS of each phase, sampled (maxRSS is one figure for the whole run)
    const phases = new Map<string, number>()
    let phase = 'start'
    // per run too (with --runs N, freed memory the allocator keeps carries from one run into the next)
    const byRun = new Map<string, number[]>()
    let runNo = 0
    const detail = new Map<string, string>()
    const sample = (): void => {
      const rss = process.memoryUsage.rss()
      const runs = byRun.get(phase) ?? []
      byRun.set(phase, runs)
      if (rss > (runs[runNo] ?? 0)) {
        runs[runNo] = rss
        if (process.env.TIERS_BENCH_MEMORY === '1') { const u = process.memoryUsage(); detail.set(`${phase}#${runNo}`, `heap ${fmt(u.heapTotal / 1e6)} ext ${fmt(u.external / 1e6)} ab ${fmt(u.arrayBuffers / 1e6)}`) }
      }
      phases.set(phase, Math.max(phases.get(phase) ?? 0, rss))
    }
    // every 100 ms: reading the RSS costs ~1 ms of this process's thread, which the kit shares (at 20 ms it was 5 % of a cold read)
    const sampler = setInterval(sample, 100)
    const enter = (name: string): void => { sample(); phase = name; sample() }
    const results = { rawPut: [] as number[], kitPut: [] as number[], rawGet: [] as number[], kitGet: [] as number[], puts: [] as number[], gets: [] as number[], warm: [] as number[], hot: [] as number[] }

    for (let run = 0; run < RUNS; run++) {
      runNo = run
      // 1. raw multipart upload, parts of pack_size, one at a time (the kit also has one pack in flight)
      const rawKey = `raw/${run}.bin`
      enter('raw SDK upload')
      const raw = await rawSdk(endpoint, 'put', file, rawKey, String(PACK_SIZE))
      results.rawPut.push(mbPerSecond(SIZE, raw.ms))

      const kit: Kit = await createKit({ offline: true, env: {}, dataDir: path.join(dir, `kit-${run}`), config: config('128MiB', run) })
      try {
        const before = (await kit.storage.status()).tiers.cold?.requests ?? { put: 0, get: 0, list: 0, delete: 0 }
        enter('store → cold')
        const stored = await timed(async () => await kit.storage.store({ path: file }, { backends: ['s3'] }))
        results.kitPut.push(mbPerSecond(SIZE, stored.ms))
        const afterStore = (await kit.storage.status()).tiers.cold?.requests ?? before
        results.puts.push((afterStore.put - before.put) / (SIZE / GiB))
        if ((await kit.storage.status()).repo.bytes !== 0) throw new Error('the disk copy was not freed')

        // 2. cold retrieve vs raw GetObject
        enter('raw SDK GetObject')
        const rawGet = await rawSdk(endpoint, 'get', rawKey)
        results.rawGet.push(mbPerSecond(rawGet.bytes, rawGet.ms))
        enter('cold retrieve')
        const stopProfile = await profile('cold-retrieve')
        const got = await timed(async () => await drain(kit.storage.stream(stored.value)))
        await stopProfile()
        if (got.value !== SIZE) throw new Error(`cold retrieve returned ${got.value} bytes, not ${SIZE}`)
        results.kitGet.push(mbPerSecond(SIZE, got.ms))
        const afterRead = (await kit.storage.status()).tiers.cold?.requests ?? afterStore
        results.gets.push((afterRead.get - afterStore.get) / (SIZE / GiB))
      } finally {
        await kit.stop()
      }

      // 4. hot vs warm: the same data directory, memory cache off then on
      const hotDir = path.join(dir, `hot-${run}`)
      let cid = ''
      enter('warm retrieve')
      const warmKit = await createKit({ offline: true, env: {}, dataDir: hotDir, config: config('0') })
      try {
        cid = await warmKit.storage.store(fileSlice(file, HOT_SIZE), { backends: ['local'] })
        await drain(warmKit.storage.stream(cid)) // page cache warm
        const warm = await timed(async () => await drain(warmKit.storage.stream(cid)))
        if (warm.value !== HOT_SIZE) throw new Error(`warm retrieve returned ${warm.value} bytes, not ${HOT_SIZE}`)
        results.warm.push(mbPerSecond(HOT_SIZE, warm.ms))
      } finally {
        await warmKit.stop()
      }
      enter('hot retrieve')
      const hotKit = await createKit({ offline: true, env: {}, dataDir: hotDir, config: config(`${2 * HOT_SIZE}`) })
      try {
        await hotKit.storage.tier(cid, 'hot')
        const hot = await timed(async () => await drain(hotKit.storage.stream(cid)))
        if (hot.value !== HOT_SIZE) throw new Error(`hot retrieve returned ${hot.value} bytes, not ${HOT_SIZE}`)
        results.hot.push(mbPerSecond(HOT_SIZE, hot.ms))
      } finally {
        await hotKit.stop()
      }
    }

    enter('end')
    clearInterval(sampler)
    const m = (xs: number[]): number => median(xs)
    const rss = peakRss() / 1e6
    rows.push(['store → cold', `${fmtBytes(SIZE)}`, fmt(m(results.kitPut)), fmt(m(results.rawPut)), fmtRatio(m(results.kitPut) / m(results.rawPut), TARGET_STORE), 'raw SDK multipart upload'])
    rows.push(['cold retrieve', `${fmtBytes(SIZE)}`, fmt(m(results.kitGet)), fmt(m(results.rawGet)), fmtRatio(m(results.kitGet) / m(results.rawGet), TARGET_RETRIEVE), 'raw SDK GetObject'])
    rows.push(['hot retrieve', `${fmtBytes(HOT_SIZE)}`, fmt(m(results.hot)), fmt(m(results.warm)), fmtRatio(m(results.hot) / m(results.warm), TARGET_HOT), 'warm retrieve (disk, page cache warm)'])
    console.log(markdownTable(['case', 'size', 'ipfs-kit MB/s', 'baseline MB/s', 'ratio', 'baseline'], rows, ['left', 'right', 'right', 'right', 'left', 'left']))
    console.log()
    console.log(markdownTable(['figure', 'value', 'goal'], [
      ['S3 PUT requests per GiB stored', fmt(m(results.puts)), `${m(results.puts) <= TARGET_PUTS_PER_GIB ? '✓' : '✗'} ≤ ${TARGET_PUTS_PER_GIB}`],
      ['S3 GET requests per GiB read', fmt(m(results.gets)), `${m(results.gets) <= TARGET_GETS_PER_GIB ? '✓' : '✗'} ≤ ${TARGET_GETS_PER_GIB}`],
      ['peak RSS of the kit\'s process (MB)', fmt(rss), `${rss < TARGET_RSS_MB ? '✓' : '✗'} < ${TARGET_RSS_MB}`]
    ], ['left', 'right', 'left']))
    console.log(`\npeak RSS by phase (MB, sampled every 100 ms${RUNS > 1 ? '; each run\'s' : ''}): ${[...phases].filter(([name]) => name !== 'end').map(([name, bytes]) => `${name} ${fmt(bytes / 1e6)}${RUNS > 1 && name !== 'start' ? ` (${(byRun.get(name) ?? []).map(b => fmt(b / 1e6)).join('/')})` : ''}`).join(', ')}`)
    for (const [key, text] of detail) console.log(`  ${key}: ${text}`)
    console.log(`\nnode ${process.version} ${process.execArgv.filter(flag => flag.startsWith('--max-semi')).join(' ')}; s3rver and the raw SDK in child processes; ${RUNS} run(s), medians; pack_size ${fmtBytes(PACK_SIZE)}`)
    console.log(`reproduce: npm run bench:tiers -- --size ${opts.size} --hot-size ${opts['hot-size']} --runs ${RUNS}`)
  } finally {
    server.stdin?.end()
    await once(server, 'exit')
  }
})

/** One raw SDK operation in its own process (benchmarks/tiers-raw.ts): its own timing. */
async function rawSdk (endpoint: string, ...args: string[]): Promise<{ ms: number, bytes: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'benchmarks', 'tiers-raw.ts'), endpoint, BUCKET, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  if (code !== 0) throw new Error(`tiers-raw.ts ${args.join(' ')} exited ${code}`)
  return JSON.parse(out.trim().split('\n').at(-1) as string) as { ms: number, bytes: number }
}

/** The first `length` bytes of a file, streamed. */
function fileSlice (file: string, length: number): AsyncIterable<Uint8Array> {
  return createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 })
}
