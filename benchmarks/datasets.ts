/**
 * `npm run bench:datasets`: one seed holds a dataset of many shards, N
 * workers on their own `tc`-limited links (network namespaces, as
 * bench:fanout; needs root). Cases, each on fresh nodes:
 *
 *   (a) share:      each worker pulls its 1/N share (rank/world): time until
 *                   all are done, as a multiple of the single-link time for 1/N of the data;
 *   (b) everything: every worker pulls the whole dataset (evaluation on every
 *                   node), swarming; baseline in the same run: seed-only (each
 *                   worker may connect to the seed alone), every byte from the seed;
 *   (c) first item: time from opening `stream` to its first item, every worker at once;
 *   (d) group kill: the workers pull as one elastic group; one is killed once
 *                   it has fetched a quarter of its share; time until the others hold the whole dataset.
 *
 *   sudo npm run bench:datasets
 *   npm run bench:datasets -- --workers 4 --size 64MiB --shards 32 --mbit 50
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { parseSize } from '../src/config/units.ts'
import { writeRandomFile } from './lib/data.ts'
import { createNetwork, netnsUnavailable } from './lib/netns.ts'
import { machine, writeResults } from './lib/results.ts'
import { startSwarm, timeAll } from './lib/swarm.ts'
import { fmt, fmtBytes, fmtRatio, markdownTable } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import type { Network } from './lib/netns.ts'
import type { Swarm } from './lib/swarm.ts'

const { values: opts } = parseArgs({
  options: {
    workers: { type: 'string', default: '8' },
    size: { type: 'string', default: '256MiB' },
    shards: { type: 'string', default: '64' },
    mbit: { type: 'string', default: '50' },
    grace: { type: 'string', default: '5000' },
    cases: { type: 'string', default: 'share,everything,seed-only,first-item,group-kill' },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help === true) {
  process.stdout.write('usage: npm run bench:datasets -- [--workers 8] [--size 256MiB] [--shards 64] [--mbit 50] [--grace 5000] [--cases share,everything,seed-only,first-item,group-kill]\n')
  process.exit(0)
}
const unavailable = netnsUnavailable()
if (unavailable != null) {
  process.stderr.write(`bench:datasets not run: ${unavailable}\n`)
  process.exit(2)
}

type CaseName = 'share' | 'everything' | 'seed-only' | 'first-item' | 'group-kill'
const workers = Number(opts.workers)
const size = parseSize(opts.size) ?? NaN
const shards = Number(opts.shards)
const mbit = Number(opts.mbit)
const graceMs = Number(opts.grace)
const linkSeconds = (bytes: number): number => bytes * 8 / (mbit * 1e6)
const NAME = 'bench/dataset'

interface CaseResult {
  case: CaseName
  allDoneSeconds: number | null
  /** What the time is compared with. */
  baselineSeconds: number
  seedSentBytes: number
  each: Array<number | null>
  note: string
  /** CPU seconds all node processes used during the case: against 2 cores × the wall time, whether the machine kept up. */
  cpuSeconds?: number
  errors: string[]
}

async function runCase (name: CaseName, dir: string, net: Network): Promise<CaseResult> {
  const swarm = await startSwarm(net, {
    seedOnly: name === 'seed-only',
    prepare: async seed => { await seed.call('datasetPublish', { dir, name: NAME }, { timeoutMs: 600_000 }) }
  })
  // CPU per process (a killed one has no after and counts nothing)
  const cpu = async (): Promise<Array<number | undefined>> => await Promise.all([swarm.seed, ...swarm.workers].map(async p => await p.call('rss', {}).then(r => r.cpuMs, () => undefined)))
  const cpuBefore = await cpu()
  try {
    const result = await timeCase(name, swarm)
    const cpuAfter = await cpu()
    return { ...result, cpuSeconds: cpuAfter.reduce<number>((sum, after, i) => sum + (after == null ? 0 : after - (cpuBefore[i] ?? after)), 0) / 1000 }
  } finally {
    await swarm.stop()
  }
}

async function timeCase (name: CaseName, swarm: Swarm): Promise<CaseResult> {
  {
    const sentBefore = swarm.seedSent()
    const long = { timeoutMs: 1_800_000 }
    const base = { case: name, errors: [] as string[] }
    if (name === 'share') {
      const t = await timeAll(swarm.workers, async (w, rank) => await w.call('datasetPull', { name: NAME, rank, world: workers, blockTimeoutMs: 120_000, manifestTimeoutMs: 30_000 }, long))
      return { ...base, allDoneSeconds: t.allDone, baselineSeconds: linkSeconds(size / workers), seedSentBytes: swarm.seedSent() - sentBefore, each: t.seconds, note: '1/N share each', errors: t.errors }
    }
    if (name === 'everything' || name === 'seed-only') {
      const t = await timeAll(swarm.workers, async w => await w.call('datasetPull', { name: NAME, rank: 0, world: 1, blockTimeoutMs: 120_000, manifestTimeoutMs: 30_000 }, long))
      return { ...base, allDoneSeconds: t.allDone, baselineSeconds: linkSeconds(size), seedSentBytes: swarm.seedSent() - sentBefore, each: t.seconds, note: name === 'everything' ? 'whole dataset each, swarming (target ≤ 2×, seed ≤ 2× dataset)' : 'whole dataset each, from the seed only (baseline)', errors: t.errors }
    }
    if (name === 'first-item') {
      const t = await timeAll(swarm.workers, async (w, rank) => await w.call('datasetFirstItem', { name: NAME, rank, world: workers, manifestTimeoutMs: 30_000 }, long))
      return { ...base, allDoneSeconds: t.allDone, baselineSeconds: linkSeconds(size / shards), seedSentBytes: swarm.seedSent() - sentBefore, each: t.results.map(r => r == null ? null : r.ms / 1000), note: 'stream open → first item (baseline: one shard over one link)', errors: t.errors }
    }
    // group-kill: the last worker is killed once it has fetched a quarter of its share
    const victim = swarm.workers.at(-1)
    const survivors = swarm.workers.slice(0, -1)
    let killed: Promise<void> | undefined
    const victimPull = victim?.call('datasetPull', { name: NAME, group: 'bench', memberGraceMs: graceMs, blockTimeoutMs: 120_000, manifestTimeoutMs: 30_000, progress: true }, {
      ...long,
      onProgress: (type, detail) => { if (type === 'datasets:pull:progress' && detail.bytesDone * 4 >= detail.bytesTotal) killed ??= victim.kill() }
    })
    victimPull?.catch(() => {})
    const t = await timeAll(survivors, async w => await w.call('datasetPull', { name: NAME, group: 'bench', memberGraceMs: graceMs, blockTimeoutMs: 120_000, manifestTimeoutMs: 30_000 }, long))
    await killed
    const union = new Set(t.results.flatMap(r => r?.shards ?? []))
    return { ...base, allDoneSeconds: t.allDone, baselineSeconds: linkSeconds(size / workers), seedSentBytes: swarm.seedSent() - sentBefore, each: t.seconds, note: `1 of ${workers} killed; survivors hold ${union.size}/${shards} shards (grace ${graceMs} ms)`, errors: t.errors }
  }
}

await withTempDir('ipfs-kit-bench-datasets-', async tmp => {
  const dir = path.join(tmp, 'dataset')
  await fs.mkdir(dir)
  for (let i = 0; i < shards; i++) await writeRandomFile(path.join(dir, `shard-${String(i).padStart(5, '0')}.tar`), Math.floor(size / shards))
  const net = createNetwork(workers + 1, mbit)
  const results: CaseResult[] = []
  try {
    for (const name of opts.cases.split(',') as CaseName[]) {
      process.stderr.write(`${name}: ${workers} workers, ${fmtBytes(size)} in ${shards} shards, ${mbit} Mbit/s per link…\n`)
      const result = await runCase(name, dir, net)
      process.stderr.write(`  all done after ${fmt(result.allDoneSeconds ?? NaN)} s${result.errors.length > 0 ? `, errors: ${result.errors.join('; ')}` : ''}; node processes used ${fmt(result.cpuSeconds ?? NaN)} CPU-s (${fmt((result.cpuSeconds ?? NaN) / (result.allDoneSeconds ?? NaN))} cores on average)\n`)
      results.push(result)
    }
  } finally {
    net.destroy()
  }
  process.stdout.write(`\n## bench:datasets — ${workers} workers, ${fmtBytes(size)} in ${shards} shards from one seed, every link ${mbit} Mbit/s each way\n\n`)
  process.stdout.write(markdownTable(
    ['case', 'all done (s)', '× baseline', 'baseline (s)', 'seed sent', 'each worker (s)', 'what'],
    results.map(r => [
      r.case,
      fmt(r.allDoneSeconds ?? NaN),
      fmtRatio((r.allDoneSeconds ?? NaN) / r.baselineSeconds),
      fmt(r.baselineSeconds),
      `${fmtBytes(r.seedSentBytes)} (${fmt(r.seedSentBytes / size)}× the dataset)`,
      r.each.map(t => t == null ? 'failed' : fmt(t)).join(', '),
      r.note
    ]),
    ['left', 'right', 'right', 'right', 'right', 'left', 'left']
  ) + '\n')
  await writeResults('datasets', { machine: machine(), workers, size, shards, mbit, results })
})
