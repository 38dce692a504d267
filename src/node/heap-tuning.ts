/**
 * Process-wide V8 heap settings for a node that moves large blocks: a
 * growing factor that does not run a full GC for every few MB of block
 * buffers. Applied once per process, never over a value the process was
 * started with (command line or NODE_OPTIONS).
 */
import v8 from 'node:v8'
import { HEAP_GROWING_PERCENT } from '../constants.ts'

let applied = false

/** True when the process was started with `flag` (`--name` or `--name=value`, in execArgv or NODE_OPTIONS). */
export function startedWithFlag (flag: string, execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const names = [flag, '--' + flag.slice(2).replace(/-/g, '_')]
  return [...execArgv, ...nodeOptions.split(/\s+/)].some(arg => names.some(name => arg === name || arg.startsWith(`${name}=`)))
}

/** Set HEAP_GROWING_PERCENT for this process, once, unless it was started with its own. */
export function tuneHeap (): void {
  if (applied) return
  applied = true
  if (startedWithFlag('--heap-growing-percent')) return
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}
