/**
 * The peer side of peers/protocol.ts, shared by every peer process: JSON
 * lines out on stdout, requests in on stdin, each answered `{ id, result }`
 * or `{ id, error }` (with `{ id, progress }` lines before, for operations
 * that report progress).
 */
import { createInterface } from 'node:readline'
import type { ErrorShape, Request, Response } from './protocol.ts'

export type Handler = (args: any, progress: (type: string, detail: unknown) => void) => Promise<unknown>

/** Print one message for the harness. */
export function send (message: unknown): void {
  process.stdout.write(JSON.stringify(message) + '\n')
}

export function errorShape (err: any): ErrorShape {
  return { name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(err) }
}

/** Answer requests one at a time until stdin closes (the harness is gone). */
export async function serveRequests (ops: Record<string, Handler>): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue
    const request = JSON.parse(line) as Request
    const handler = ops[request.op]
    let response: Response
    try {
      if (handler == null) throw new Error(`unknown op ${request.op}`)
      const progress = (type: string, detail: unknown): void => { send({ id: request.id, progress: { type, detail } }) }
      response = { id: request.id, result: await handler(request.args, progress) }
    } catch (err) {
      response = { id: request.id, error: errorShape(err) }
    }
    send(response)
  }
}

/** CPU time this process used so far (user + system, all threads), in milliseconds. */
export function cpuMs (): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
