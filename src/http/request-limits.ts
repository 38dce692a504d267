/**
 * Limits applied before and while a command runs: body size for calls that
 * are not uploads (413), and a deadline for the first byte of network-bound
 * calls (504), which Kubo's `timeout` option can shorten.
 */
import { RPC_MAX_BODY_BYTES, RPC_NETWORK_TIMEOUT_MS } from '../constants.ts'
import { parseDuration } from '../config/index.ts'
import { RpcError } from './rpc-error.ts'
import type { IncomingMessage } from 'node:http'

/** Commands whose body is a file or archive of any size, streamed. */
export const UPLOAD_COMMANDS: ReadonlySet<string> = new Set(['add', 'dag/import', 'ipfs-kit/storage/store'])

/** Commands that may wait on peers before their first byte. */
export const NETWORK_COMMANDS: ReadonlySet<string> = new Set([
  'cat', 'get', 'ls', 'block/get', 'block/stat', 'dag/export', 'pin/add', 'routing/findprovs',
  'ipfs-kit/models/providers', 'ipfs-kit/models/pull',
  'ipfs-kit/datasets/providers', 'ipfs-kit/datasets/plan', 'ipfs-kit/datasets/pull'
])

/** 413 when a call other than an upload declares a body over `limit` bytes. */
export function checkBodySize (command: string, req: IncomingMessage, limit = RPC_MAX_BODY_BYTES): void {
  if (UPLOAD_COMMANDS.has(command)) return
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw new RpcError(413, `request body of ${declared} bytes is over the ${limit} byte limit of ${command}`)
}

/**
 * Milliseconds the call has to send its first byte, or undefined for none:
 * `fallback` for network-bound commands, lowered (or set, for any command) by `?timeout=`.
 */
export function firstByteDeadline (command: string, query: URLSearchParams, fallback = RPC_NETWORK_TIMEOUT_MS): number | undefined {
  const base = NETWORK_COMMANDS.has(command) ? fallback : undefined
  const option = query.get('timeout')
  if (option == null || option === '') return base
  const ms = parseDuration(option)
  if (ms == null || ms <= 0) throw new RpcError(400, `option "timeout": "${option}" is not a duration like 30s or 500ms`)
  return base == null ? ms : Math.min(ms, base)
}
