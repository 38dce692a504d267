/** Everything the CLI writes: JSON, tables, sizes, streamed bytes, and the one-line error. */
import { isKitError } from '../errors.ts'
import type { Readable, Writable } from 'node:stream'

/** The process's streams, injected so commands can run against others. */
export interface Io {
  stdout: Writable & { isTTY?: boolean }
  stderr: Writable & { isTTY?: boolean, columns?: number }
  /** Only touched by commands that read it (`add -`). */
  stdin: () => Readable
}

export function processIo (): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: () => process.stdin }
}

export function printJson (io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n')
}

export function printLines (io: Io, ...lines: string[]): void {
  io.stdout.write(lines.map(line => line + '\n').join(''))
}

/** `Error: <message>` on one line, `hint: <hint>` when there is one, the stack only with --debug. */
export function formatError (err: unknown, debug: boolean): string {
  const e = err as { message?: unknown, stack?: unknown, hint?: unknown } | null | undefined
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err)
  const lines = [`Error: ${oneLine(message)}`]
  if (typeof e?.hint === 'string' && e.hint !== '') lines.push(`hint: ${oneLine(e.hint)}`)
  if (debug && typeof e?.stack === 'string') lines.push(e.stack)
  return lines.join('\n') + '\n'
}

/** 2 for a usage error, 1 for anything else that failed. */
export function exitCodeFor (err: unknown): number {
  return isKitError(err) && err.name === 'UsageError' ? 2 : 1
}

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** `1.5 MiB`. */
export function formatBytes (bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable (header: string[], rows: string[][]): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map(row => (row[i] ?? '').length)))
  return all.map(row => row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n') + '\n'
}

/**
 * Make writes to stdout block when its reader is slow, as they do in `cat(1)`,
 * rather than fail with EAGAIN: Node puts a piped stdout in non-blocking
 * mode, and `cat` writes to its descriptor directly (control/fd-writer.ts),
 * where EAGAIN means copying the rest into the stream's queue and pausing —
 * at a pipe's 64 KiB at a time, as much work as the copy it was meant to save.
 * `setBlocking` is the libuv call Node makes itself for stdio on Windows.
 */
export function blockingWrites (stream: Writable): void {
  const handle = (stream as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle
  handle?.setBlocking?.(true)
}
