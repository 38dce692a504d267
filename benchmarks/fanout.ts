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
 * Reports each worker's completion time, the time until all are done as a
 * multiple of the single-link time (model size ÷ link rate), and the bytes the
 * seed sent (its interface counter). Target: all done within 2× the
 * single-link time with swarming. Namespaces, processes and data are removed
 * at the end, on error and on Ctrl-C.
 *
 *   sudo npm run bench:fanout
 *   npm run bench:fanout -- --workers 4 --size 64MiB --mbit 50
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
import type { Network } from './lib/netns.ts'

const { values: opts } = parseArgs({
  options: {
    workers: { type: 'string', default: '8' },
    size: { type: 'string', default: '128MiB' },
    mbit: { type: 'string', default: '50' },
    cases: { type: 'string', default: 'swarm,seed-only' },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help === true) {
  process.stdout.write('usage: npm run bench:fanout -- [--workers 8] [--size 128MiB] [--mbit 50] [--cases swarm,seed-only]\n')
  process.exit(0)
}
const unavailable = netnsUnavailable()
if (unavailable != null) {
  process.stderr.write(`bench:fanout not run: ${unavailable}\n`)
  process.exit(2)
}

type CaseName = 'swarm' | 'seed-only'
const workers = Number(opts.workers)
const size = parseSize(opts.size) ?? NaN
const mbit = Number(opts.mbit)
const singleLinkSeconds = size * 8 / (mbit * 1e6)
const NAME = 'bench/fanout-model'

interface CaseResult {
  case: CaseName
  /** Seconds from the common start to each worker's completion (null: failed). */
  workers: Array<number | null>
  allDoneSeconds: number | null
  seedSentBytes: number
  errors: string[]
}

async function runCase (name: CaseName, modelDir: string, net: Network): Promise<CaseResult> {
  const swarm = await startSwarm(net, {
    seedOnly: name === 'seed-only',
    prepare: async seed => { await seed.call('modelPublish', { dir: modelDir, name: NAME }, { timeoutMs: 600_000 }) }
  })
  try {
    const sentBefore = swarm.seedSent()
    const timed = await timeAll(swarm.workers, async w => await w.call('modelPull', { name: NAME, blockTimeoutMs: 120_000 }, { timeoutMs: 1_800_000 }))
    return { case: name, workers: timed.seconds, allDoneSeconds: timed.allDone, seedSentBytes: swarm.seedSent() - sentBefore, errors: timed.errors }
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
      process.stderr.write(`  all done after ${fmt(result.allDoneSeconds ?? NaN)} s${result.errors.length > 0 ? `, errors: ${result.errors.join('; ')}` : ''}\n`)
      results.push(result)
    }
  } finally {
    net.destroy()
  }
  process.stdout.write(`\n## bench:fanout — ${workers} workers pull ${fmtBytes(size)} from one seed, every link ${mbit} Mbit/s each way (single-link time ${fmt(singleLinkSeconds)} s)\n\n`)
  process.stdout.write(markdownTable(
    ['case', 'all done (s)', '× single link', 'seed sent', 'each worker (s)'],
    results.map(r => [
      r.case,
      fmt(r.allDoneSeconds ?? NaN),
      r.case === 'swarm' ? `${fmtRatio((r.allDoneSeconds ?? NaN) / singleLinkSeconds)} (target ≤ 2)` : fmtRatio((r.allDoneSeconds ?? NaN) / singleLinkSeconds),
      `${fmtBytes(r.seedSentBytes)} (${fmt(r.seedSentBytes / size)}× the model)`,
      r.workers.map(t => t == null ? 'failed' : fmt(t)).join(', ')
    ]),
    ['left', 'right', 'right', 'right', 'left']
  ) + '\n')
  await writeResults('fanout', { machine: machine(), workers, size, mbit, singleLinkSeconds, results })
})
