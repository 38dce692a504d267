/**
 * `npm run bench:storage`: how fast does ipfs-kit store a file and read it
 * back hash-verified, and in how much memory, compared in the same run with
 * stock Helia 7 and with the floors set by the disk (plain `fs`) and by
 * hashing (Node's sha256)? Also: `listFiles()` latency with 10,000 entries.
 *
 * For each size one file of random bytes is generated on disk, then every
 * implementation runs in its own process (benchmarks/storage-case.ts), fed
 * from a file stream, so that each case's peak RSS is its own. Prints one
 * markdown table (benchmarks/storage-report.ts) and writes
 * benchmarks/results/storage.json.
 *
 *   npm run bench:storage                      # 1 MiB, 64 MiB, 1 GiB, 2 GiB
 *   npm run bench:storage -- --quick           # 1 MiB and 64 MiB
 *   npm run bench:storage -- --sizes 64MiB,1GiB --runs 3 --impls kit,helia
 *   npm run bench:storage -- --cpu-prof        # V8 profiles in benchmarks/results/profiles/storage/
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseSize } from '../src/config/units.ts'
import { runChild } from './lib/child.ts'
import { startCpuWindow, waitForIdle } from './lib/cpu-idle.ts'
import { writeRandomFile } from './lib/data.ts'
import { timed } from './lib/measure.ts'
import { RESULTS_DIR, machine, writeResults } from './lib/results.ts'
import { fmt, fmtBytes } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import { LABELS, TARGETS, checkTargets, disturbed, renderReport, summarize } from './storage-report.ts'
import type { CaseResult, Impl, ListResult } from './storage-case.ts'
import type { SizeResult } from './storage-report.ts'

const CASE_SCRIPT = fileURLToPath(new URL('./storage-case.ts', import.meta.url))
const MiB = 1024 * 1024
const GiB = 1024 * MiB

const DEFAULT_SIZES = [MiB, 64 * MiB, GiB, 2 * GiB]
const QUICK_SIZES = [MiB, 64 * MiB]
/** Stock Helia is skipped above this size: its cat runs at ~100 MB/s and its RSS grows with the file; the 2 GiB row is about ipfs-kit's memory bound. */
const HELIA_MAX_SIZE = GiB
/** Small files are stored this many bytes' worth at a time (as distinct files), so that a case lasts long enough to time. */
const MIN_BYTES_PER_CASE = 256 * MiB
/** sha256 first: its digest of the input is what ipfs-kit's output is checked against. */
const ALL_IMPLS: Impl[] = ['sha256', 'fs', 'helia', 'kit']
/** A case starts once the machine is less busy than this (one-second sample), or after --wait-idle seconds. */
const IDLE_THRESHOLD = 0.15

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    impls: { type: 'string' },
    runs: { type: 'string', default: '1' },
    'list-entries': { type: 'string', default: '10000' },
    'wait-idle': { type: 'string', default: '120' },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})

if (opts.help === true) {
  process.stdout.write([
    'usage: npm run bench:storage -- [options]',
    '  --quick              1 MiB and 64 MiB only',
    '  --sizes <list>       comma-separated sizes (default 1MiB,64MiB,1GiB,2GiB)',
    '  --impls <list>       subset of sha256,fs,helia,kit (default: all)',
    '  --runs <n>           processes per case; the table shows medians (default 1)',
    '  --list-entries <n>   files in the listFiles case, 0 to skip (default 10000)',
    '  --wait-idle <s>      before each case, wait up to this long for other processes to quieten (default 120)',
    '  --cpu-prof           write a V8 CPU profile of every case to benchmarks/results/profiles/storage/',
    ''
  ].join('\n'))
  process.exit(0)
}

const sizes = opts.sizes != null ? opts.sizes.split(',').map(toSize) : opts.quick === true ? QUICK_SIZES : DEFAULT_SIZES
const impls = opts.impls != null ? opts.impls.split(',').map(toImpl) : ALL_IMPLS
const runs = positiveInt(opts.runs ?? '1', '--runs')
const listEntries = Number(opts['list-entries'])
const waitIdleMs = Number(opts['wait-idle']) * 1000
const profileDir = path.join(RESULTS_DIR, 'profiles', 'storage')
const nodeArgs = opts['cpu-prof'] === true ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
const command = ['npm run bench:storage', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')

const results: SizeResult[] = []
let list: ListResult | undefined

await withTempDir('ipfs-kit-bench-', async root => {
  if (nodeArgs.length > 0) await fs.mkdir(profileDir, { recursive: true })
  for (const size of sizes) {
    const reps = Math.max(1, Math.floor(MIN_BYTES_PER_CASE / size))
    const input = path.join(root, `input-${size}.bin`)
    const gen = await timed(async () => { await writeRandomFile(input, size * reps) })
    log(`${fmtBytes(size)}${reps > 1 ? ` × ${reps} files` : ''}: generated input in ${(gen.ms / 1000).toFixed(1)} s`)
    const all: CaseResult[] = []
    let sha256: string | undefined
    for (let run = 0; run < runs; run++) {
      for (const impl of impls) {
        if (impl === 'helia' && size > HELIA_MAX_SIZE) continue
        const args = ['--impl', impl, '--input', input, '--size', String(size), '--reps', String(reps)]
        if (impl === 'kit' && sha256 != null) args.push('--expect', sha256)
        const result = await runCase<CaseResult>(root, impl, args)
        if (result.sha256 != null) sha256 = result.sha256
        all.push(result)
        logCase(result)
      }
    }
    await fs.rm(input, { force: true })
    results.push(summarize(size, reps, all))
  }
  if (listEntries > 0) {
    list = await runCase<ListResult>(root, 'list', ['--impl', 'list', '--entries', String(listEntries)])
  }
})

process.stdout.write(renderReport(results, list, {
  runs,
  cpus: machine().cpus as number,
  command,
  minBytesPerCase: MIN_BYTES_PER_CASE,
  heliaMaxSize: HELIA_MAX_SIZE
}))

const file = await writeResults('storage', {
  name: 'storage',
  question: 'Store and hash-verified retrieve throughput and peak RSS of ipfs-kit vs stock Helia 7, plain fs and sha256; listFiles latency with 10,000 entries',
  command,
  date: new Date().toISOString(),
  machine: machine(),
  options: { sizes, impls, runs, listEntries },
  targets: TARGETS,
  checks: checkTargets(results),
  sizes: results,
  list
})
log(`results: ${path.relative(process.cwd(), file)}`)
if (results.some(r => r.runs.some(c => c.error != null))) process.exitCode = 1

/**
 * One case in its own process and temp dir, started on a settled, quiet
 * machine. The dir is kept until the whole run ends: on ext4 without a
 * journal (as here) every file created within a minute of many deletions
 * first skips each recently deleted inode of its block group, so removing one
 * case's thousands of block files made the next case's creates several times
 * dearer (`perf`: find_inode_bit → recently_deleted), and ipfs-kit, which runs
 * after Helia, paid for Helia's files.
 */
async function runCase<T extends { cpuMs?: number, othersBusy?: number }> (root: string, name: string, args: string[]): Promise<T> {
  const dir = await fs.mkdtemp(path.join(root, `${name}-`))
  await settle()
  const busy = await waitForIdle(IDLE_THRESHOLD, waitIdleMs)
  if (busy >= IDLE_THRESHOLD) log(`  (machine still ${Math.round(busy * 100)}% busy after ${waitIdleMs / 1000} s; running anyway)`)
  const window = startCpuWindow()
  const result = await runChild<T>(CASE_SCRIPT, [...args, '--dir', dir], { nodeArgs, workDir: root })
  result.othersBusy = window.othersBusy(result.cpuMs ?? 0)
  return result
}

/**
 * Flush dirty pages left by the previous case (or by generating the input),
 * so that no case pays for another's writeback. Best effort: skipped where
 * there is no `sync` command.
 */
async function settle (): Promise<void> {
  await new Promise<void>(resolve => {
    const child = spawn('sync', [], { stdio: 'ignore' })
    child.once('error', () => { resolve() })
    child.once('exit', () => { resolve() })
  })
}

function logCase (c: CaseResult): void {
  const parts = [
    `  ${LABELS[c.impl].padEnd(24)}`,
    `store ${fmt(c.storeMBps).padStart(5)} MB/s`,
    `retrieve ${fmt(c.retrieveMBps).padStart(5)} MB/s`,
    `peak RSS ${fmt(c.peakRss / 1e6)} MB`
  ]
  if (c.hashOnlyMBps != null) parts.push(`(hash alone ${fmt(c.hashOnlyMBps)} MB/s)`)
  if (disturbed(c)) parts.push(`⚠ others used ${Math.round((c.othersBusy ?? 0) * 100)}% CPU`)
  if (c.error != null) parts.push(`✗ FAILED in ${c.error}`)
  log(parts.join('  '))
}

function toSize (text: string): number {
  const size = parseSize(text)
  if (size == null || size <= 0) throw new Error(`--sizes: not a size: ${text}`)
  return size
}

function toImpl (text: string): Impl {
  if (!(ALL_IMPLS as string[]).includes(text)) throw new Error(`--impls: unknown implementation ${text} (one of ${ALL_IMPLS.join(', ')})`)
  return text as Impl
}

function positiveInt (text: string, name: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: not a positive integer: ${text}`)
  return n
}

function log (line: string): void {
  process.stderr.write(line + '\n')
}
