/**
 * Where every benchmark writes its numbers: `benchmarks/results/<name>.json`
 * (untracked), so runs can be compared by tools as well as read as tables.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url))

/** The machine a result was measured on, recorded with every result. */
export function machine (): Record<string, unknown> {
  const cpus = os.cpus()
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryBytes: os.totalmem(),
    tmpdir: os.tmpdir()
  }
}

/** Write `data` as `benchmarks/results/<name>.json`; returns the path. */
export async function writeResults (name: string, data: unknown): Promise<string> {
  await fs.mkdir(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `${name}.json`)
  await fs.writeFile(file, JSON.stringify(data, null, 2) + '\n')
  return file
}
