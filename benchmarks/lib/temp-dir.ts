/**
 * A benchmark's scratch directory under os.tmpdir(): removed when the
 * benchmark ends, fails, or is interrupted (Ctrl-C), so gigabytes of test data
 * never outlive the run.
 */
import { rmSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** Run `fn` with a fresh temp directory, removing it afterwards whatever happens. */
export async function withTempDir<T> (prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(dir, { recursive: true, force: true })
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    return await fn(dir)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await fs.rm(dir, { recursive: true, force: true })
  }
}
