/**
 * Running one benchmark case in its own Node process, so that its peak RSS is
 * its own and nothing it allocated (or JIT-compiled) leaks into the next case.
 * The child gets `--out <file>` and writes its result there as JSON, also
 * when it fails (then with an `error`), so that a run reports what broke
 * instead of stopping.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'

export interface ChildOptions {
  /** Extra Node flags for the child, e.g. `--cpu-prof`. */
  nodeArgs?: string[]
  /** Directory for the result file (removed by the caller with the rest of its temp dir). */
  workDir: string
}

/** Run `script` (TypeScript, through tsx) with `args`; resolves to the JSON the child wrote to `--out`. */
export async function runChild<T> (script: string, args: string[], options: ChildOptions): Promise<T> {
  const out = path.join(options.workDir, `result-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`)
  const argv = [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args, '--out', out]
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit'] })
    child.once('error', reject)
    child.once('exit', (exitCode, signal) => resolve(signal != null ? -1 : exitCode))
  })
  // A child that fails after measuring something still writes its result (with an error)
  const text = await fs.readFile(out, 'utf8').catch(() => undefined)
  await fs.rm(out, { force: true })
  if (text == null) throw new Error(`${path.basename(script)} ${args.join(' ')} exited with ${code} without a result`)
  return JSON.parse(text) as T
}

/** Parse `--name value` pairs (as runChild passes them) into a map. */
export function childArgs (argv = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`)
    const value = argv[i + 1]
    if (value == null || value.startsWith('--')) {
      out.set(arg.slice(2), 'true')
    } else {
      out.set(arg.slice(2), value)
      i++
    }
  }
  return out
}

/** Write a child's result where runChild expects it. */
export async function writeChildResult (args: Map<string, string>, result: unknown): Promise<void> {
  const out = args.get('out')
  if (out == null) throw new Error('missing --out')
  await fs.writeFile(out, JSON.stringify(result))
}
