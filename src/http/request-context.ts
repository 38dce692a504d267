/**
 * What a route handler receives: the request, its query and helpers that
 * write Kubo-style responses with back-pressure.
 */
import { RpcError } from './rpc-error.ts'
import type { LocalPathCheck } from './local-paths.ts'
import type { Kit } from '../kit.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface RequestContext {
  kit: Kit
  req: IncomingMessage
  res: ServerResponse
  query: URLSearchParams
  /** Aborted when the client goes away or the server stops. */
  signal: AbortSignal
  /** Check a path on the daemon's machine that the caller names; resolves to the real path to use. */
  localPath: LocalPathCheck
}

export type RouteHandler = (ctx: RequestContext) => Promise<void>

/** The first `arg`, required. */
export function requiredArg (query: URLSearchParams, name = 'arg'): string {
  const value = query.get(name)
  if (value == null || value === '') throw new RpcError(400, `argument "${name === 'arg' ? 'ipfs-path' : name}" is required`)
  return value
}

/** A boolean flag as Kubo parses it (`true`, `false`, or bare `?flag`). */
export function boolParam (query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name)
  if (value == null) return fallback
  if (value === '' || value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new RpcError(400, `option "${name}": "${value}" is not a boolean`)
}

/** A non-negative integer option, or undefined when absent. */
export function intParam (query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name)
  if (value == null || value === '') return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new RpcError(400, `option "${name}": "${value}" is not a non-negative integer`)
  return n
}

/** Strip a leading `/ipfs/`, as Kubo accepts paths where it takes CIDs. */
export function cidArg (value: string): string {
  const trimmed = value.startsWith('/ipfs/') ? value.slice('/ipfs/'.length) : value
  if (trimmed.includes('/')) throw new RpcError(400, `paths inside a DAG are not supported: ${value}`)
  return trimmed
}

export function sendJson (res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(value) + '\n')
}

/** Write one chunk, waiting for the socket to drain when its buffer is full. */
export async function write (res: ServerResponse, chunk: Uint8Array | string, signal: AbortSignal): Promise<void> {
  if (res.write(chunk)) return
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      signal.removeEventListener('abort', done)
      if (signal.aborted) reject(signal.reason)
      else resolve()
    }
    res.on('drain', done)
    res.on('close', done)
    signal.addEventListener('abort', done)
  })
}

/** Stream JSON lines (Kubo's `X-Stream-Output` responses), headers sent with the first line. */
export async function sendJsonLines (res: ServerResponse, lines: AsyncIterable<unknown> | Iterable<unknown>, signal: AbortSignal): Promise<void> {
  for await (const line of lines) {
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json', 'X-Stream-Output': '1', 'X-Chunked-Output': '1' })
    await write(res, JSON.stringify(line) + '\n', signal)
  }
  if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json', 'X-Stream-Output': '1', 'X-Chunked-Output': '1' })
  res.end()
}
