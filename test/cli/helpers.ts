/**
 * Running the CLI as real child processes (`node dist/src/cli/entry.js`, or
 * `node --import tsx src/cli/entry.ts` when dist/ is not current),
 * with temp data directories; everything started here is killed and removed
 * by `cleanup()`.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { builtPath, childRuntime } from '../../peers/runtime.ts'
import type { ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ENTRY = 'src/cli/entry.ts'
/** tsx's loader by path: `--import tsx` would be looked up from the child's working directory. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
export const MiB = 1024 * 1024

/** The CID Kubo gives the 11 bytes `hello world` (one raw block). */
export const HELLO_CID = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'
/** A valid CID of content nobody stored (`hello world!`). */
export const ABSENT_CID = 'bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve'

const children = new Set<ChildProcess>()
const dirs = new Set<string>()

/** The environment without anything that would pick another data directory or turn the network off. */
export function childEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of ['IPFS_KIT_DISABLE', 'IPFS_ACCELERATE_CACHE_DIR', 'IPFS_KIT_CACHE_DIR', 'DEBUG']) delete env[key]
  return { ...env, ...extra }
}

/**
 * The built dist/ when it is current, else the sources through tsx; `IPFS_KIT_PEER_RUNTIME=dist|tsx`
 * forces one (peers/runtime.ts, as for peers/harness.ts). `npm run test:coverage` forces dist/ to
 * map the children's coverage back to src/.
 */
export function entryArgs (): string[] {
  if (childRuntime() === 'tsx') return ['--import', TSX, path.join(ROOT, ENTRY)]
  return [builtPath(path.join(ROOT, ENTRY))]
}

export function spawnCli (args: string[], env: Record<string, string> = {}, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, [...entryArgs(), ...args], { cwd, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

export interface RunResult {
  code: number | null
  stdout: string
  stdoutBytes: Buffer
  stderr: string
}

export interface RunOptions {
  /** Written to stdin (a stream is piped); stdin is closed either way. */
  input?: string | Uint8Array | Readable
  env?: Record<string, string>
  /** Working directory. @default the repository root */
  cwd?: string
}

/** Run one command to completion. */
export async function run (args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawnCli(args, options.env, options.cwd)
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
  const input = options.input
  if (input == null || typeof input === 'string' || input instanceof Uint8Array) {
    child.stdin?.end(input)
  } else {
    input.pipe(child.stdin as NodeJS.WritableStream)
  }
  const [code] = await once(child, 'close') as [number | null]
  const stdoutBytes = Buffer.concat(out)
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') }
}

/** Run a command that prints JSON; fails the test with its stderr when it does not succeed. */
export async function runJson<T = any> (args: string[], options: RunOptions = {}): Promise<T> {
  const result = await run([...args, '--json'], options)
  if (result.code !== 0) throw new Error(`ipfs-kit ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

export async function tempDir (prefix = 'ipfs-kit-cli-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  dirs.add(dir)
  return dir
}

export interface DaemonInfo {
  peerId: string
  addresses: string[]
  dataDir: string
}

export interface Daemon {
  process: ChildProcess
  info: DaemonInfo
  stderr: () => string
  /** Send `signal` and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Start `ipfs-kit daemon --json` on `dataDir` and wait for its ready line. */
export async function startDaemon (dataDir: string, extra: string[] = []): Promise<Daemon> {
  const child = spawnCli(['daemon', '--data-dir', dataDir, '--json', ...extra])
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = once(child, 'exit')
  const lines = createInterface({ input: child.stdout as Readable })
  const first = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    exited.then(([code]) => { reject(new Error(`daemon exited ${String(code)} before it was ready: ${stderr}`)) }, reject)
  })
  const timeout = new Promise<never>((_, reject) => setTimeout(() => { reject(new Error(`daemon not ready after 30 s: ${stderr}`)) }, 30_000).unref())
  const info = JSON.parse(await Promise.race([first, timeout])) as DaemonInfo
  return {
    process: child,
    info,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode == null && child.signalCode == null) child.kill(signal)
      const [code] = await exited as [number | null]
      return code
    }
  }
}

/** Kill every child still running, then remove the temp directories. */
export async function cleanup (): Promise<void> {
  await Promise.all([...children].map(async child => {
    if (child.exitCode != null || child.signalCode != null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }))
  await Promise.all([...dirs].map(async dir => { await fs.rm(dir, { recursive: true, force: true }) }))
  dirs.clear()
}

export async function exists (file: string): Promise<boolean> {
  return await fs.stat(file).then(() => true, () => false)
}

/** Linux: the process's peak resident memory so far (VmHWM), in bytes. */
export async function peakRss (pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]
  if (kb == null) throw new Error(`no VmHWM for ${pid}`)
  return Number(kb) * 1024
}

/** Linux: follow a child's peak memory until it exits; resolves to the last value read. */
export function watchPeakRss (child: ChildProcess, everyMs = 50): Promise<number> {
  let peak = 0
  const timer = setInterval(() => {
    if (child.pid == null) return
    peakRss(child.pid).then(value => { peak = Math.max(peak, value) }, () => {})
  }, everyMs)
  return new Promise(resolve => child.once('exit', () => {
    clearInterval(timer)
    resolve(peak)
  }))
}
