/**
 * `npm run bench:fanout`: one seed holds a model, N workers pull it at the
 * same moment, every host on its own link limited each way with `tc` (Linux
 * network namespaces on one bridge; needs root). Two cases in one run:
 *
 *   - swarm: workers are connected to each other and to the seed, and serve
 *     each other the blocks they already have (ipfs-kit's pull);
 *   - seed only (baseline): each worker may connect to the seed alone
 *     (config `node.allow_list`), so every byte comes from the seed.
 *
 * Reports each worker's completion time and their spread (max − min), the
 * time until all are done as a multiple of the single-link time (model size ÷
 * link rate), and the bytes the seed sent (its interface counter) as a
 * multiple of the model, and the share of all hosts' uplink capacity used
 * (lib/link-use.ts: over the run, its first quarter, middle half and last
 * quarter). Targets with swarming (issue 20): all done within 1.3× the
 * single-link time, the seed sending at most 1.2× the model.
 * Namespaces, processes and data are removed at the end, on error and on
 * Ctrl-C.
 *
 *   sudo npm run bench:fanout
 *   npm run bench:fanout -- --workers 24 --mbit 20 --cases swarm
 *   npm run bench:fanout -- --quick          # 4 workers, 32 MiB: a smoke run
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { parseSize } from '../src/config/units.ts'
import { writeRandomFile } from './lib/data.ts'
import { createNetwork, netnsUnavailable } from './lib/netns.ts'
import { startSwarm, timeAll } from './lib/swarm.ts'
import { machine, writeResults } from './lib/results.ts'
import { fmt, fmtBytes, fmtRatio, markdownTable } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import { LinkUseSampler } from './lib/link-use.ts'
import type { LinkUse } from './lib/link-use.ts'
import type { Network } from './lib/netns.ts'

const { values: opts } = parseArgs({
  options: {
    workers: { type: 'string', default: '8' },
    size: { type: 'string', default: '128MiB' },
    mbit: { type: 'string', default: '50' },
    cases: { type: 'string', default: 'swarm,seed-only' },
    quick: { type: 'boolean', default: false },
    /** Transfer protocol versions every node speaks (config `transfer.versions`), e.g. `1.0.0`: the swarm without have-maps, for comparison. */
    versions: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help === true) {
  process.stdout.write('usage: npm run bench:fanout -- [--workers 8] [--size 128MiB] [--mbit 50] [--cases swarm,seed-only] [--quick (4 workers, 32 MiB, swarm only)] [--versions 1.0.0]\n')
  process.exit(0)
}
const unavailable = netnsUnavailable()
if (unavailable != null) {
  process.stderr.write(`bench:fanout not run: ${unavailable}\n`)
  process.exit(2)
}

type CaseName = 'swarm' | 'seed-only'
if (opts.quick === true) {
  opts.workers = process.argv.includes('--workers') ? opts.workers : '4'
  opts.size = process.argv.includes('--size') ? opts.size : '32MiB'
  opts.cases = process.argv.includes('--cases') ? opts.cases : 'swarm'
}
const workers = Number(opts.workers)
const size = parseSize(opts.size) ?? NaN
/** Issue 20's targets for the swarm case. */
const TARGET_TIME = 1.3
const TARGET_SEED = 1.2
const mbit = Number(opts.mbit)
const singleLinkSeconds = size * 8 / (mbit * 1e6)
const NAME = 'bench/fanout-model'
const pct = (share: number): string => Number.isFinite(share) ? `${Math.round(share * 100)} %` : '—'

interface CaseResult {
  case: CaseName
  /** Seconds from the common start to each worker's completion (null: failed). */
  workers: Array<number | null>
  allDoneSeconds: number | null
  seedSentBytes: number
  /** Bytes each worker's interface sent (what it uploaded to the others, and its requests). */
  workerSentBytes: number[]
  /** CPU seconds all node processes (seed and workers) used during the pulls: against 2 cores × the wall time, whether the machine kept up. */
  cpuSeconds: number
  /** Share of all hosts' uplink capacity (hosts × link rate) used during the pulls: whole, first quarter, middle half, last quarter. */
  uplinkUse: LinkUse
  errors: string[]
}

async function runCase (name: CaseName, modelDir: string, net: Network): Promise<CaseResult> {
  const swarm = await startSwarm(net, {
    seedOnly: name === 'seed-only',
    transferVersions: opts.versions?.split(','),
    prepare: async seed => { await seed.call('modelPublish', { dir: modelDir, name: NAME }, { timeoutMs: 600_000 }) }
  })
  try {
    const peers = [swarm.seed, ...swarm.workers]
    const cpu = async (): Promise<number> => (await Promise.all(peers.map(async p => (await p.call('rss', {})).cpuMs))).reduce((a, b) => a + b, 0) / 1000
    const cpuBefore = await cpu()
    const sentBefore = swarm.seedSent()
    const workerHosts = net.hosts.slice(1)
    const workersBefore = workerHosts.map(h => net.txBytes(h))
    const uplinks = new LinkUseSampler(() => net.uplinkBytes())
    const timed = await timeAll(swarm.workers, async w => await w.call('modelPull', { name: NAME, blockTimeoutMs: 120_000, manifestTimeoutMs: 30_000 }, { timeoutMs: 1_800_000 }))
    const uplinkUse = uplinks.stop(net.hosts.length * mbit * 1e6 / 8)
    return { case: name, workers: timed.seconds, allDoneSeconds: timed.allDone, seedSentBytes: swarm.seedSent() - sentBefore, workerSentBytes: workerHosts.map((h, i) => net.txBytes(h) - (workersBefore[i] as number)), cpuSeconds: await cpu() - cpuBefore, uplinkUse, errors: timed.errors }
  } finally {
    await swarm.stop()
  }
}

await withTempDir('ipfs-kit-bench-fanout-', async dir => {
  const modelDir = path.join(dir, 'model')
  await import('node:fs/promises').then(async fs => await fs.mkdir(modelDir))
  await writeRandomFile(path.join(modelDir, 'model.safetensors'), size)
  const net = createNetwork(workers + 1, mbit)
  const results: CaseResult[] = []
  try {
    for (const name of opts.cases.split(',') as CaseName[]) {
      process.stderr.write(`${name}: ${workers} workers pull ${fmtBytes(size)} at ${mbit} Mbit/s per link…\n`)
      const result = await runCase(name, modelDir, net)
      process.stderr.write(`  all done after ${fmt(result.allDoneSeconds ?? NaN)} s${result.errors.length > 0 ? `, errors: ${result.errors.join('; ')}` : ''}; workers sent ${result.workerSentBytes.map(b => fmt(b / size)).join(', ')}× the model; node processes used ${fmt(result.cpuSeconds)} CPU-s (${fmt(result.cpuSeconds / (result.allDoneSeconds ?? NaN))} cores on average)\n`)
      results.push(result)
    }
  } finally {
    net.destroy()
  }
  process.stdout.write(`\n## bench:fanout — ${workers} workers pull ${fmtBytes(size)} from one seed, every link ${mbit} Mbit/s each way (single-link time ${fmt(singleLinkSeconds)} s)${opts.versions != null ? `, transfer versions ${opts.versions}` : ''}\n\n`)
  process.stdout.write(markdownTable(
    ['case', 'all done (s)', '× single link', 'seed sent', 'spread (s)', 'CPU-s (cores)', 'uplinks used: run (ramp · middle · tail)', 'each worker (s)'],
    results.map(r => {
      const time = (r.allDoneSeconds ?? NaN) / singleLinkSeconds
      const seed = r.seedSentBytes / size
      const done = r.workers.filter((t): t is number => t != null)
      const swarm = r.case === 'swarm'
      return [
        r.case,
        fmt(r.allDoneSeconds ?? NaN),
        swarm ? `${fmtRatio(time)} ${time <= TARGET_TIME ? '✓' : '✗'} (≤ ${TARGET_TIME})` : fmtRatio(time),
        `${fmtBytes(r.seedSentBytes)} (${seed.toFixed(2)}× the model${swarm ? ` ${seed <= TARGET_SEED ? '✓' : '✗'} ≤ ${TARGET_SEED}` : ''})`,
        done.length > 0 ? fmt(Math.max(...done) - Math.min(...done)) : '—',
        `${fmt(r.cpuSeconds)} (${fmt(r.cpuSeconds / (r.allDoneSeconds ?? NaN))})`,
        `${pct(r.uplinkUse.whole)} (${pct(r.uplinkUse.ramp)} · ${pct(r.uplinkUse.middle)} · ${pct(r.uplinkUse.tail)})`,
        r.workers.map(t => t == null ? 'failed' : fmt(t)).join(', ')
      ]
    }),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']
  ) + '\n')
  await writeResults(`fanout-${workers}w-${mbit}mbit`, { machine: machine(), workers, size, mbit, singleLinkSeconds, results })
})
