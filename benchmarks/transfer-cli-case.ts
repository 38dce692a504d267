/**
 * bench:transfer's CLI cases: the same transfer as the library case (a kit
 * node fetching a file from one provider process), but asked of a running
 * `ipfs-kit daemon` by the CLI, as a user types it: `get <cid> -o file`,
 * `cat <cid>` into a pipe, `model pull <name>`. Each case starts a fresh
 * daemon (nothing held locally) and a fresh provider; the time runs from
 * starting the CLI process to its exit, start-up included. The CLI runs in
 * another directory than the daemon and, like the daemon, with the Node flags
 * of bin/ipfs-kit.js.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { startPeer } from '../peers/harness.ts'
import { DAEMON_NODE_FLAGS } from '../src/constants.ts'
import { mbPerSecond } from './lib/measure.ts'
import type { Peer } from '../peers/harness.ts'
import type { ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'

export type CliCaseName = 'cli-get' | 'cli-cat' | 'cli-pull'

export interface Usage { role: string, peak: number, cpuMs: number }

export interface CliCaseResult { ms: number, mbps: number, rss: Usage[] }

const BIN = fileURLToPath(new URL('../bin/ipfs-kit.js', import.meta.url))
const MODEL = 'bench/transfer-model'
/** Linux clock ticks per second in /proc/<pid>/stat (USER_HZ). */
const CLOCK_TICKS = 100

/** CPU time (ms) and peak RSS (bytes) of a running process, from /proc. */
async function procUsage (pid: number): Promise<{ cpuMs: number, peak: number }> {
  const stat = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? []
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8')
  const ticks = Number(stat[11]) + Number(stat[12])
  return { cpuMs: ticks * 1000 / CLOCK_TICKS, peak: Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN) * 1024 }
}

async function startDaemon (dataDir: string, bootstrap: string): Promise<{ child: ChildProcess, peerId: string }> {
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, BIN, 'daemon', '--data-dir', dataDir, '--json',
    '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--gateway', '127.0.0.1:0', '--bootstrap', bootstrap], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = await Promise.race([
    once(createInterface({ input: child.stdout as Readable }), 'line') as Promise<[string]>,
    once(child, 'exit').then(([code]) => { throw new Error(`daemon exited ${String(code)} before it was ready`) })
  ])
  return { child, peerId: (JSON.parse(line) as { peerId: string }).peerId }
}

/** Run the CLI to its exit under /usr/bin/time; its stdout goes to `onStdout` (or nowhere). */
async function runCli (args: string[], cwd: string, onStdout?: (chunk: Buffer) => void): Promise<{ out: string, usage: Usage }> {
  const timeFile = path.join(cwd, '.time')
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, process.execPath, ...DAEMON_NODE_FLAGS, BIN, ...args],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => { if (onStdout != null) onStdout(chunk); else out += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString() })
  const [code] = await once(child, 'close') as [number | null]
  if (code !== 0) throw new Error(`ipfs-kit ${args.join(' ')} exited ${String(code)}: ${err.trim()}`)
  const [kb, user, sys] = (await fs.readFile(timeFile, 'utf8')).trim().split('\n').at(-1)?.split(' ').map(Number) ?? []
  return { out, usage: { role: 'CLI', peak: (kb ?? NaN) * 1024, cpuMs: ((user ?? NaN) + (sys ?? NaN)) * 1000 } }
}

async function sha256Of (file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk)
  return hash.digest('hex')
}

/** One CLI case in `dir` (a scratch directory of its own). */
export async function runCliCase (name: CliCaseName, file: string, expected: string, size: number, dir: string): Promise<CliCaseResult> {
  const started: Array<Peer<any>> = []
  let daemon: ChildProcess | undefined
  try {
    const provider = await startPeer()
    started.push(provider)
    let cid = ''
    if (name === 'cli-pull') {
      const model = path.join(dir, 'model')
      await fs.mkdir(model)
      await fs.link(file, path.join(model, 'weights.bin'))
      await provider.call('modelPublish', { dir: model, name: MODEL }, { timeoutMs: 600_000 })
    } else {
      cid = await provider.call('store', { path: file, pin: true }, { timeoutMs: 600_000 })
    }
    const dataDir = path.join(dir, 'daemon')
    const caller = path.join(dir, 'caller')
    await fs.mkdir(caller)
    const started2 = await startDaemon(dataDir, provider.addresses[0] as string)
    daemon = started2.child
    for (let i = 0; i < 300 && !(await provider.call('peers', {})).includes(started2.peerId); i++) await new Promise(resolve => setTimeout(resolve, 100))
    const daemonPid = daemon.pid as number
    const before = await Promise.all([procUsage(daemonPid), provider.call('rss', {})])
    const t0 = performance.now()
    let cli: Usage
    if (name === 'cli-get') {
      ({ usage: cli } = await runCli(['get', cid, '-o', 'out.bin', '--data-dir', dataDir], caller))
    } else if (name === 'cli-cat') {
      const hash = createHash('sha256')
      ;({ usage: cli } = await runCli(['cat', cid, '--data-dir', dataDir], caller, chunk => hash.update(chunk)))
      if (hash.digest('hex') !== expected) throw new Error('cat wrote other bytes than the file\'s')
    } else {
      const result = await runCli(['model', 'pull', MODEL, '--data-dir', dataDir, '--json'], caller)
      cli = result.usage
      if ((JSON.parse(result.out) as { bytes: number }).bytes !== size) throw new Error('the pull has another size than the file')
    }
    const ms = performance.now() - t0
    const after = await Promise.all([procUsage(daemonPid), provider.call('rss', {})])
    if (name === 'cli-get' && await sha256Of(path.join(caller, 'out.bin')) !== expected) throw new Error('get saved other bytes than the file\'s')
    const rss: Usage[] = [
      cli,
      { role: 'daemon', peak: after[0].peak, cpuMs: after[0].cpuMs - before[0].cpuMs },
      { role: 'provider', peak: after[1].peak, cpuMs: after[1].cpuMs - before[1].cpuMs }
    ]
    return { ms, mbps: mbPerSecond(size, ms), rss }
  } finally {
    if (daemon != null && daemon.exitCode == null) {
      const exited = once(daemon, 'exit')
      daemon.kill('SIGTERM')
      await exited
    }
    await Promise.all(started.map(async p => { await p.stop() }))
  }
}
