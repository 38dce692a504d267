import { CustomProgressEvent } from 'progress-events'
import { describe, expect, it } from 'vitest'
import { progressReporter } from '../../src/mcp/progress.ts'
import type { ProgressNotification } from '../../src/mcp/progress.ts'

describe('MCP progress notifications', () => {
  it('sends byte progress forward only, holds back what comes within the interval, and always sends the total', async () => {
    const sent: Array<ProgressNotification['params']> = []
    const reporter = progressReporter({ token: 't', intervalMs: 60_000, send: async n => { sent.push(n.params) } })
    reporter.onProgress(new CustomProgressEvent('models:pull:progress', { bytesDone: 10, bytesTotal: 100, rate: 0, peers: 1 }))
    reporter.onProgress(new CustomProgressEvent('models:pull:progress', { bytesDone: 5, bytesTotal: 100, rate: 0, peers: 1 }))
    reporter.onProgress(new CustomProgressEvent('models:pull:progress', { bytesDone: 50, bytesTotal: 100, rate: 0, peers: 1 }))
    reporter.onProgress(new CustomProgressEvent('transfer:block', { cid: 'x' }))
    reporter.onProgress(new CustomProgressEvent('models:pull:progress', { bytesDone: 100, bytesTotal: 100, rate: 0, peers: 1, file: 'a.bin' }))
    await reporter.flush()
    expect(sent).toEqual([
      { progressToken: 't', progress: 10, total: 100 },
      { progressToken: 't', progress: 100, total: 100, message: 'a.bin' }
    ])
  })

  it('counts files for operations that report per file, and flushes the last one held back', async () => {
    const sent: Array<ProgressNotification['params']> = []
    const reporter = progressReporter({ token: 7, intervalMs: 60_000, send: async n => { sent.push(n.params) } })
    for (const path of ['a', 'b', 'c']) reporter.onProgress(new CustomProgressEvent('models:publish:file', { path, size: 1, reused: false }))
    await reporter.flush()
    expect(sent).toEqual([{ progressToken: 7, progress: 1, message: 'a' }, { progressToken: 7, progress: 3, message: 'c' }])
  })
})
