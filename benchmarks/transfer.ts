/**
 * `npm run bench:transfer`: moving one file of random bytes between real
 * processes over loopback (TCP, noise, yamux), in one run on one machine:
 *
 *   1. ipfs-kit, one provider: a kit node retrieves from a kit node (our transfer protocol);
 *   2. stock Helia 7, one provider: `cat` over bitswap between two stock Helia nodes (baseline);
 *   3. a raw libp2p stream of the same bytes on the same stack (ceiling);
 *   4. ipfs-kit from three providers at once.
 *
 * Every receiver hashes what it gets and the hash is checked against the
 * file's. Reports MB/s, the ratios 1/2 and 1/3 (targets ≥ 4 and ≥ 0.75),
 * case 4 against case 1, and each process's peak RSS. Writes
 * benchmarks/results/transfer.json. Processes and temp data are removed at
 * the end, on error and on Ctrl-C.
 *
 *   npm run bench:transfer
 *   npm run bench:transfer -- --size 4GiB --cases kit
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { parseSize } from '../src/config/units.ts'
import { startPeer, startStockHelia, waitForPeers } from '../peers/harness.ts'
import { writeRandomFile } from './lib/data.ts'
import { mbPerSecond, timed } from './lib/measure.ts'
import { machine, writeResults } from './lib/results.ts'
import { fmt, fmtBytes, fmtRatio, markdownTable } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import type { Peer } from '../peers/harness.ts'

const { values: opts } = parseArgs({
  options: {
    size: { type: 'string', default: '1GiB' },
    cases: { type: 'string', default: 'kit,helia,raw,kit3' },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help === true) {
  process.stdout.write('usage: npm run bench:transfer -- [--size 1GiB] [--cases kit,helia,raw,kit3]\n')
  process.exit(0)
}

type CaseName = 'kit' | 'helia' | 'raw' | 'kit3'
interface CaseResult {
  case: CaseName
  label: string
  ms: number
  mbps: number
  /** Peak RSS (bytes) and CPU time used during the case (ms, all threads) of each process, receiver first. */
  rss: Array<{ role: string, peak: number, cpuMs: number }>
  error?: string
}

const LABELS: Record<CaseName, string> = {
  kit: '1. ipfs-kit, one provider',
  helia: '2. stock Helia 7 bitswap cat (baseline)',
  raw: '3. raw libp2p stream (ceiling)',
  kit3: '4. ipfs-kit, three providers'
}

const size = parseSize(opts.size) ?? NaN
if (!(size > 0)) throw new Error(`--size: not a size: ${opts.size}`)
const cases = opts.cases.split(',') as CaseName[]

async function sha256Of (file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk)
  return hash.digest('hex')
}

async function cpuMs (peer: Peer<any>): Promise<number> {
  return (await peer.call('rss', {}) as { cpuMs: number }).cpuMs
}

/** Peak RSS of a process, and the CPU it used since `cpuBefore`. */
async function usage (peer: Peer<any>, role: string, cpuBefore: number): Promise<{ role: string, peak: number, cpuMs: number }> {
  const { peak, cpuMs } = await peer.call('rss', {}) as { peak: number, cpuMs: number }
  return { role, peak, cpuMs: cpuMs - cpuBefore }
}

async function runCase (name: CaseName, file: string, expected: string): Promise<CaseResult> {
  const started: Array<Peer<any>> = []
  try {
    if (name === 'kit' || name === 'kit3') {
      const providers: Peer[] = []
      let cid = ''
      for (let i = 0; i < (name === 'kit' ? 1 : 3); i++) {
        const p = await startPeer()
        started.push(p)
        providers.push(p)
        cid = await p.call('store', { path: file, pin: true }, { timeoutMs: 600_000 })
      }
      const receiver = await startPeer({ bootstrap: providers.flatMap(p => p.addresses.slice(0, 1)) })
      started.push(receiver)
      await waitForPeers(receiver, providers.length)
      const before = await Promise.all([receiver, ...providers].map(cpuMs))
      const { value, ms } = await timed(async () => await receiver.call('retrieveToFile', { cid, path: '/dev/null' }, { timeoutMs: 1_800_000 }))
      if (value.sha256 !== expected) throw new Error('received bytes differ from the file')
      const rss = await Promise.all([receiver, ...providers].map(async (p, i) => await usage(p, i === 0 ? 'receiver' : `provider ${i}`, before[i] ?? 0)))
      return { case: name, label: LABELS[name], ms, mbps: mbPerSecond(size, ms), rss }
    }
    const a = await startStockHelia()
    const b = await startStockHelia()
    started.push(a, b)
    await b.call('dial', { address: a.addresses[0] as string })
    let before = [0, 0]
    let result: { bytes: number, sha256: string }
    let ms: number
    if (name === 'helia') {
      const cid = await a.call('add', { path: file }, { timeoutMs: 600_000 })
      before = await Promise.all([b, a].map(cpuMs))
      ;({ value: result, ms } = await timed(async () => await b.call('cat', { cid, path: '/dev/null' }, { timeoutMs: 3_600_000 })))
    } else {
      await a.call('rawServe', { path: file })
      before = await Promise.all([b, a].map(cpuMs))
      ;({ value: result, ms } = await timed(async () => await b.call('rawFetch', { peer: a.peerId }, { timeoutMs: 1_800_000 })))
    }
    if (result.sha256 !== expected) throw new Error('received bytes differ from the file')
    return { case: name, label: LABELS[name], ms, mbps: mbPerSecond(size, ms), rss: [await usage(b, 'receiver', before[0] ?? 0), await usage(a, 'provider', before[1] ?? 0)] }
  } catch (err: any) {
    return { case: name, label: LABELS[name], ms: NaN, mbps: NaN, rss: [], error: err.message }
  } finally {
    await Promise.all(started.map(async p => { await p.stop() }))
  }
}

await withTempDir('ipfs-kit-bench-transfer-', async dir => {
  const file = path.join(dir, 'data.bin')
  process.stderr.write(`writing ${fmtBytes(size)} of random data…\n`)
  await writeRandomFile(file, size)
  const expected = await sha256Of(file)
  const results: CaseResult[] = []
  for (const name of cases) {
    process.stderr.write(`${LABELS[name]}…\n`)
    const result = await runCase(name, file, expected)
    process.stderr.write(result.error != null ? `  failed: ${result.error}\n` : `  ${fmt(result.mbps)} MB/s\n`)
    results.push(result)
  }
  const by = (name: CaseName): CaseResult | undefined => results.find(r => r.case === name)
  const ratio = (a: CaseName, b: CaseName): number | undefined => {
    const x = by(a)?.mbps
    const y = by(b)?.mbps
    return x != null && y != null ? x / y : undefined
  }
  const mb = (n: number): string => `${fmt(n / 1e6)} MB`
  process.stdout.write(`\n## bench:transfer — ${fmtBytes(size)}, two processes over loopback (TCP + noise + yamux)\n\n`)
  process.stdout.write(markdownTable(['case', 'MB/s', 'seconds', 'peak RSS (receiver / providers)', 'CPU seconds (receiver / providers)'], results.map(r => [
    r.label, r.error != null ? `failed: ${r.error}` : fmt(r.mbps), fmt(r.ms / 1000), r.rss.map(x => mb(x.peak)).join(' / '), r.rss.map(x => fmt(x.cpuMs / 1000)).join(' / ')
  ]), ['left', 'right', 'right', 'left', 'left']) + '\n\n')
  process.stdout.write(markdownTable(['ratio', 'value'], [
    ['1/2 ipfs-kit ÷ stock Helia', fmtRatio(ratio('kit', 'helia'), 4)],
    ['1/3 ipfs-kit ÷ raw stream', fmtRatio(ratio('kit', 'raw'), 0.75)],
    ['4/1 three providers ÷ one', fmtRatio(ratio('kit3', 'kit'), 1)]
  ]) + '\n')
  await writeResults('transfer', { machine: machine(), size, results })
})
