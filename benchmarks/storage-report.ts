/**
 * The numbers of `npm run bench:storage` turned into what it reports: the
 * median of each case over runs, the ratios against the baselines of the same
 * run (with several runs, the median of each run's own ratio), the issue's
 * targets, and one markdown table.
 */
import { median } from './lib/measure.ts'
import { fmt, fmtBytes, fmtRatio, markdownTable } from './lib/table.ts'
import type { CaseResult, Impl, ListResult } from './storage-case.ts'

/** The issue's targets: ratios measured in one run, and the memory bound at 2 GiB. */
export const TARGETS = {
  /** ipfs-kit store ÷ stock Helia addByteStream. */
  storeVsHelia: 1.2,
  /** ipfs-kit hash-verified retrieve ÷ stock Helia's local cat. */
  retrieveVsHelia: 4,
  /** ipfs-kit hash-verified retrieve ÷ reading and sha256-hashing the same bytes. */
  retrieveVsSha256: 0.5,
  /** Peak RSS (MB) of storing and retrieving a 2 GiB file. */
  peakRssMB2GiB: 300
}

/** A case during which other processes used more of the machine's CPU than this is flagged as disturbed. */
export const DISTURBED_THRESHOLD = 0.1

export const LABELS: Record<Impl, string> = {
  kit: 'ipfs-kit',
  helia: 'Helia 7 (blockstore-fs)',
  fs: 'fs write/read',
  sha256: 'sha256 (read+hash)'
}

const ROW_ORDER: Impl[] = ['kit', 'helia', 'fs', 'sha256']
const GiB = 1024 ** 3

export interface SizeResult {
  size: number
  /** Files of `size` bytes stored per case. */
  reps: number
  /** Each implementation's median over runs (peak RSS: the highest). */
  cases: Partial<Record<Impl, CaseResult>>
  runs: CaseResult[]
  ratios: {
    storeVsHelia?: number
    retrieveVsHelia?: number
    retrieveVsSha256?: number
    /** Against sha256 of bytes already in memory, for reference (not a target). */
    retrieveVsHashOnly?: number
  }
  /** ipfs-kit read back the input's sha256 (checked outside the timed region). */
  verified?: boolean
  /** ipfs-kit and Helia (same profile) gave the same CIDs. */
  sameCidsAsHelia?: boolean
}

export interface ReportMeta {
  runs: number
  cpus: number
  command: string
  minBytesPerCase: number
  heliaMaxSize: number
}

export function disturbed (result: { othersBusy?: number }): boolean {
  return (result.othersBusy ?? 0) > DISTURBED_THRESHOLD
}

export function summarize (size: number, reps: number, runs: CaseResult[]): SizeResult {
  const cases: Partial<Record<Impl, CaseResult>> = {}
  for (const impl of ROW_ORDER) {
    const all = runs.filter(c => c.impl === impl)
    // a failed run counts only when every run failed
    const ok = all.filter(c => c.error == null)
    const mine = ok.length > 0 ? ok : all
    const first = mine[0]
    if (first == null) continue
    cases[impl] = {
      ...first,
      storeMBps: medianOf(mine.map(c => c.storeMBps)),
      retrieveMBps: medianOf(mine.map(c => c.retrieveMBps)),
      hashOnlyMBps: medianOf(mine.map(c => c.hashOnlyMBps)),
      peakRss: Math.max(...mine.map(c => c.peakRss))
    }
  }
  const { kit, helia } = cases
  const kitRuns = runs.filter(c => c.impl === 'kit')
  // Each run's ratio pairs cases minutes apart; a ratio of medians could pair a case of one run with
  // a baseline of another (on this VM the cost of new page-cache pages changes between runs).
  const paired = (of: (c: CaseResult) => number | undefined, base: Impl, baseOf: (c: CaseResult) => number | undefined): number | undefined => {
    // the i-th case of each implementation belongs to run i (a failed case has no numbers, and drops out)
    const bases = runs.filter(c => c.impl === base)
    return medianOf(kitRuns.map((c, i) => bases[i] != null ? ratio(of(c), baseOf(bases[i] as CaseResult)) : undefined))
  }
  return {
    size,
    reps,
    cases,
    runs,
    ratios: {
      storeVsHelia: paired(c => c.storeMBps, 'helia', c => c.storeMBps),
      retrieveVsHelia: paired(c => c.retrieveMBps, 'helia', c => c.retrieveMBps),
      retrieveVsSha256: paired(c => c.retrieveMBps, 'sha256', c => c.retrieveMBps),
      retrieveVsHashOnly: paired(c => c.retrieveMBps, 'sha256', c => c.hashOnlyMBps)
    },
    verified: kitRuns.some(c => c.verified != null) ? kitRuns.every(c => c.verified !== false) : undefined,
    sameCidsAsHelia: kit?.cids != null && helia?.cids != null ? kit.cids.join() === helia.cids.join() : undefined
  }
}

/** Which targets every measured size meets (undefined: not measured in this run). */
export function checkTargets (results: SizeResult[]): Record<string, boolean | undefined> {
  const every = (key: 'storeVsHelia' | 'retrieveVsHelia' | 'retrieveVsSha256'): boolean | undefined => {
    const measured = results.map(r => r.ratios[key]).filter((x): x is number => x != null)
    return measured.length === 0 ? undefined : measured.every(x => x >= TARGETS[key])
  }
  const at2GiB = results.find(r => r.size === 2 * GiB)?.cases.kit
  return {
    noFailures: results.every(r => r.runs.every(c => c.error == null)),
    storeVsHelia: every('storeVsHelia'),
    retrieveVsHelia: every('retrieveVsHelia'),
    retrieveVsSha256: every('retrieveVsSha256'),
    peakRss2GiB: at2GiB == null ? undefined : at2GiB.error == null && at2GiB.peakRss / 1e6 < TARGETS.peakRssMB2GiB,
    verified: results.every(r => r.verified !== false),
    sameCidsAsHelia: results.every(r => r.sameCidsAsHelia !== false)
  }
}

/** The markdown report: one table, the memory and listFiles lines, how it was measured, the command. */
export function renderReport (results: SizeResult[], list: ListResult | undefined, meta: ReportMeta): string {
  const checks = checkTargets(results)
  const rows: string[][] = []
  for (const r of results) {
    const size = `${fmtBytes(r.size)}${r.reps > 1 ? ` ×${r.reps}` : ''}`
    for (const impl of ROW_ORDER) {
      const c = r.cases[impl]
      if (c == null) continue
      const kit = impl === 'kit'
      const flag = (r.runs.some(x => x.impl === impl && disturbed(x)) ? ' ⚠' : '') + (c.error != null ? ' ✗ FAILED' : '')
      rows.push([
        size,
        LABELS[impl] + flag,
        fmt(c.storeMBps),
        fmt(c.retrieveMBps),
        `${fmt(c.peakRss / 1e6)} (${fmt(c.setupRss == null ? undefined : c.setupRss / 1e6)})`,
        kit ? fmtRatio(r.ratios.storeVsHelia, TARGETS.storeVsHelia) : '',
        kit ? fmtRatio(r.ratios.retrieveVsHelia, TARGETS.retrieveVsHelia) : '',
        kit ? fmtRatio(r.ratios.retrieveVsSha256, TARGETS.retrieveVsSha256) : ''
      ])
      if (impl === 'sha256' && c.hashOnlyMBps != null) {
        rows.push([size, 'sha256 (in memory)', '—', fmt(c.hashOnlyMBps), '', '', '', ''])
      }
    }
  }
  const table = markdownTable(
    ['size', 'implementation', 'store MB/s', 'retrieve MB/s', 'peak RSS MB (at start)', 'store ÷ Helia', 'retrieve ÷ Helia', 'retrieve ÷ sha256'],
    rows,
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']
  )

  const lines = [
    '',
    `## Storage throughput (${meta.runs > 1 ? `median of ${meta.runs} runs` : 'one run'}, ${meta.cpus} cores, Node ${process.version})`,
    '',
    table,
    ''
  ]
  const at2GiB = results.find(r => r.size === 2 * GiB)?.cases.kit
  if (at2GiB != null) {
    const before = at2GiB.setupRss == null ? '' : `; ${fmt(at2GiB.setupRss / 1e6)} MB before any data moved`
    const failed = at2GiB.error != null ? ` — the case failed in ${at2GiB.error}` : ''
    lines.push(`Peak RSS storing and retrieving 2 GiB with ipfs-kit: ${fmt(at2GiB.peakRss / 1e6)} MB ${mark(checks.peakRss2GiB)} (target < ${TARGETS.peakRssMB2GiB} MB${before})${failed}.`)
  }
  for (const r of results) {
    for (const c of r.runs) {
      if (c.error != null) lines.push(`✗ ${LABELS[c.impl]} at ${fmtBytes(r.size)} failed in ${c.error}`)
    }
  }
  if (list != null) {
    lines.push(`listFiles() with ${list.entries.toLocaleString('en-US')} entries: ${fmt(list.firstMs)} ms first call, ${fmt(list.medianMs)} ms median of the next ${list.runs} (storing the entries took ${(list.populateMs / 1000).toFixed(1)} s).`)
  }
  const flagged = results.flatMap(r => r.runs.filter(disturbed).map(c => `${LABELS[c.impl]} at ${fmtBytes(r.size)} (${Math.round((c.othersBusy ?? 0) * 100)}%)`))
  if (list != null && disturbed(list)) flagged.push(`listFiles (${Math.round((list.othersBusy ?? 0) * 100)}%)`)
  if (flagged.length > 0) {
    lines.push(`⚠ Other processes used over ${DISTURBED_THRESHOLD * 100}% of the CPU during: ${flagged.join(', ')}. Those numbers are not trustworthy; rerun on a quiet machine.`)
  }
  lines.push(
    `Correctness: ipfs-kit read back the input's sha256 ${mark(checks.verified)}; same CIDs as Helia with profile unixfs-v1-2025 ${mark(checks.sameCidsAsHelia)}.`,
    '',
    'Ratios: with several runs, the median of each run\'s own ratio (ipfs-kit against the baseline measured minutes before it).',
    'MB = 10^6 bytes. Each case runs in its own process (the harness through tsx; ipfs-kit compiled from dist/ and Helia from its published JavaScript, as users run them); peak RSS is its `maxRSS`, "at start" its RSS once modules are loaded and the store is open.',
    'Store feeds every implementation the same file stream (1 MiB reads, page cache); ipfs-kit stores with `pin: true`; nobody fsyncs (ipfs-kit\'s default; blockstore-fs never does).',
    'Retrieve streams the whole file and counts its bytes, reading the blocks just written (page cache); ipfs-kit hashes every block against its CID. "retrieve ÷ sha256" divides by reading and hashing the input file (1 MiB chunks, one core).',
    `Files under ${fmtBytes(meta.minBytesPerCase)} are stored as ×N distinct files per case. Stock Helia is skipped above ${fmtBytes(meta.heliaMaxSize)}.`,
    '',
    `Reproduce: ${meta.command}`
  )
  return lines.join('\n') + '\n'
}

function medianOf (values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v != null)
  return known.length === 0 ? undefined : median(known)
}

function ratio (a: number | undefined, b: number | undefined): number | undefined {
  return a == null || b == null ? undefined : a / b
}

function mark (ok: boolean | undefined): string {
  return ok === true ? '✓' : ok === false ? '✗' : '—'
}
