/**
 * Progress on the control channel. A client that wants an operation's
 * progress asks with `Accept: application/x-ndjson`; an operation marked
 * `progress` in the registry then answers `200` with one JSON line per event,
 * `{ "progress": { "type", "detail" } }`, and a last line
 * `{ "result": … }` or `{ "error": ErrorShape }`.
 */
import { createInterface } from 'node:readline'
import { CustomProgressEvent } from 'progress-events'
import { CONTROL_PROGRESS_QUEUE_BYTES, CONTROL_MAX_PROGRESS_LINE_BYTES } from '../constants.ts'
import { RemoteError } from './errors.ts'
import { parseErrorShape, toErrorShape } from './protocol.ts'
import type { ProgressEvent } from 'progress-events'
import type { Readable } from 'node:stream'
import type { ServerResponse } from 'node:http'

export const PROGRESS_MEDIA_TYPE = 'application/x-ndjson'

/** Run `work` answering in progress lines; an event is dropped while the client is slow to read them. */
export async function answerWithProgress (res: ServerResponse, work: (onProgress: (event: ProgressEvent) => void) => Promise<unknown>): Promise<void> {
  res.writeHead(200, { 'content-type': PROGRESS_MEDIA_TYPE })
  const onProgress = (event: ProgressEvent): void => {
    if (res.destroyed || res.writableLength > CONTROL_PROGRESS_QUEUE_BYTES) return
    const line = safeLine({ progress: { type: event.type, detail: event.detail } })
    if (line != null && line.length <= CONTROL_MAX_PROGRESS_LINE_BYTES) res.write(line)
  }
  let last: string
  try {
    last = safeLine({ result: await work(onProgress) }) ?? JSON.stringify({ error: toErrorShape(new Error('the result is not JSON')) }) + '\n'
  } catch (err) {
    last = JSON.stringify({ error: toErrorShape(err) }) + '\n'
  }
  if (!res.destroyed) res.end(last)
}

/** Read a progress answer: events to `onProgress`, then the result, or the daemon's error thrown. */
export async function readProgressLines (body: Readable, onProgress: ((event: ProgressEvent) => void) | undefined): Promise<unknown> {
  const lines = createInterface({ input: body, crlfDelay: Infinity })
  for await (const line of lines) {
    if (line.length > CONTROL_MAX_PROGRESS_LINE_BYTES) throw new Error('progress line from the daemon too long')
    const message = JSON.parse(line) as { progress?: { type?: unknown, detail?: unknown }, result?: unknown, error?: unknown }
    if (message.progress != null) {
      if (typeof message.progress.type === 'string') onProgress?.(new CustomProgressEvent(message.progress.type, message.progress.detail))
    } else if (message.error != null) {
      throw new RemoteError(parseErrorShape(message.error))
    } else if ('result' in message) {
      return message.result
    }
  }
  throw new Error('the daemon ended the answer before its result')
}

/** JSON of `value` and a newline, or undefined when it has no JSON form (a BigInt, a cycle). */
function safeLine (value: unknown): string | undefined {
  try {
    return JSON.stringify(value) + '\n'
  } catch {
    return undefined
  }
}
