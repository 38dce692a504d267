/**
 * The automatic gc timer: every `intervalMs`, run `collect` (which evicts
 * unpinned content down to the watermark). One run at a time; `stop()` waits
 * for a running one. Failures are logged and counted, never thrown.
 */
import { logger } from '@libp2p/logger'

const log = logger('ipfs-kit:auto-gc')

export interface AutoGcInit {
  intervalMs: number
  collect(signal: AbortSignal): Promise<unknown>
}

export interface AutoGc {
  /** Runs so far, and how many failed. */
  readonly runs: number
  readonly failures: number
  /** Run now (also what the timer calls). */
  runOnce(): Promise<void>
  stop(): Promise<void>
}

export function startAutoGc (init: AutoGcInit): AutoGc {
  const controller = new AbortController()
  let running: Promise<void> | undefined
  let runs = 0
  let failures = 0

  const runOnce = async (): Promise<void> => {
    if (running != null) return await running
    running = (async () => {
      try {
        runs++
        const result = await init.collect(controller.signal)
        log('automatic gc: %o', result)
      } catch (err: any) {
        if (controller.signal.aborted) return
        failures++
        log.error('automatic gc failed - %e', err)
      } finally {
        running = undefined
      }
    })()
    await running
  }

  const timer = init.intervalMs > 0 ? setInterval(() => { void runOnce() }, init.intervalMs) : undefined
  timer?.unref()

  return {
    get runs () { return runs },
    get failures () { return failures },
    runOnce,
    stop: async () => {
      if (timer != null) clearInterval(timer)
      controller.abort()
      await running
    }
  }
}
