/**
 * Other processes on the machine distort a throughput benchmark more than
 * anything it measures. Before each case the driver samples how busy the
 * CPUs are and, when asked, waits for them to quieten; the busy fraction is
 * recorded with every result so a disturbed row can be recognised.
 */
import os from 'node:os'

/** Fraction (0–1) of all CPU time spent busy during the next `ms` milliseconds. */
export async function cpuBusy (ms = 1000): Promise<number> {
  const before = totals()
  await new Promise(resolve => setTimeout(resolve, ms))
  const after = totals()
  const total = after.total - before.total
  return total > 0 ? (after.busy - before.busy) / total : 0
}

/**
 * Wait until the CPUs are less than `threshold` busy over a one-second
 * sample, or until `timeoutMs` has passed. Returns the last busy fraction.
 */
export async function waitForIdle (threshold: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let busy = await cpuBusy()
  while (busy >= threshold && Date.now() < deadline) busy = await cpuBusy()
  return busy
}

function totals (): { busy: number, total: number } {
  let busy = 0
  let total = 0
  for (const { times } of os.cpus()) {
    const sum = times.user + times.nice + times.sys + times.idle + times.irq
    total += sum
    busy += sum - times.idle
  }
  return { busy, total }
}

/** A CPU-time window over the whole machine, to tell how much of it a child process did not use. */
export interface CpuWindow {
  /** Fraction of machine CPU capacity used by processes other than the one whose CPU time is given. */
  othersBusy(ownCpuMs: number): number
}

export function startCpuWindow (): CpuWindow {
  const before = totals()
  return {
    othersBusy (ownCpuMs) {
      const after = totals()
      const total = after.total - before.total
      if (total <= 0) return 0
      return Math.max(0, (after.busy - before.busy - ownCpuMs) / total)
    }
  }
}

/** CPU time (user + system) this process has used, in milliseconds. */
export function ownCpuMs (): number {
  const usage = process.resourceUsage()
  return (usage.userCPUTime + usage.systemCPUTime) / 1000
}
