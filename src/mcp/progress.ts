/**
 * An operation's progress events as MCP progress notifications, for a call
 * whose request carried a `progressToken`. Events that count bytes (a pull's
 * `bytesDone`/`bytesTotal`, an import's `bytes`/`total`) give the progress in
 * bytes; events per file (`…:file`) count files. Notifications only go
 * forward and at most every MCP_PROGRESS_INTERVAL_MS, except the one that
 * reaches the total, which always goes.
 */
import { MCP_PROGRESS_INTERVAL_MS } from '../constants.ts'
import type { ProgressEvent } from 'progress-events'

export interface ProgressNotification {
  method: 'notifications/progress'
  params: { progressToken: string | number, progress: number, total?: number, message?: string }
}

export interface ProgressReporter {
  onProgress(event: ProgressEvent): void
  /** Send the last progress held back by the interval; call when the operation ends. */
  flush(): Promise<void>
}

export interface ProgressReporterInit {
  token: string | number
  send(notification: ProgressNotification): Promise<void>
  /** @default MCP_PROGRESS_INTERVAL_MS */
  intervalMs?: number
}

interface Point { progress: number, total?: number, message?: string }

/** Where an event puts the operation, or undefined for an event that says nothing of it. */
export function progressPoint (event: ProgressEvent, files: number): Point | undefined {
  const detail = (event.detail ?? {}) as Record<string, unknown>
  const number = (key: string): number | undefined => typeof detail[key] === 'number' && Number.isFinite(detail[key]) ? detail[key] : undefined
  const file = typeof detail.file === 'string' ? detail.file : typeof detail.path === 'string' ? detail.path : undefined
  const done = number('bytesDone') ?? number('bytes')
  if (done != null) return { progress: done, total: number('bytesTotal') ?? number('total'), message: file }
  if (event.type.endsWith(':file')) return { progress: files, message: file }
  return undefined
}

export function progressReporter (init: ProgressReporterInit): ProgressReporter {
  const interval = init.intervalMs ?? MCP_PROGRESS_INTERVAL_MS
  let files = 0
  let sentProgress = -1
  let sentAt = 0
  let pending: Point | undefined
  let chain = Promise.resolve()

  const send = (point: Point): void => {
    sentProgress = point.progress
    sentAt = Date.now()
    pending = undefined
    const params = { progressToken: init.token, progress: point.progress, ...(point.total != null ? { total: point.total } : {}), ...(point.message != null ? { message: point.message } : {}) }
    // in order, and a failed send (the client left) does not fail the operation
    chain = chain.then(async () => { await init.send({ method: 'notifications/progress', params }) }).catch(() => {})
  }

  return {
    onProgress: event => {
      if (event.type.endsWith(':file')) files++
      const point = progressPoint(event, files)
      if (point == null || point.progress <= sentProgress) return
      if (point.progress === point.total || Date.now() - sentAt >= interval) send(point)
      else pending = point
    },
    flush: async () => {
      if (pending != null) send(pending)
      await chain
    }
  }
}
