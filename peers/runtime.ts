/**
 * Which code the child processes of tests and benchmarks run (peers/harness.ts, test/cli/helpers.ts):
 * the compiled dist/ when it is at least as new as every source it is built from, else the
 * TypeScript sources through tsx. `IPFS_KIT_PEER_RUNTIME=dist` or `=tsx` forces one.
 *
 * Why: a child started through tsx's loader spends far more CPU than the same child over dist/
 * (every module it loads goes through the loader's hooks): measured on 2 cores, `ipfs-kit add` of
 * one small file took 3.7 s of CPU through tsx and 1.4 s over dist/, and the process suites start
 * several hundred children. dist/ is what users run, and `npm ci` builds it (the `prepare`
 * script), so on a clean clone it is current. A dist/ that is missing, or older than a source it
 * comes from (an edit after the last `npm run build`), is never used: the children then run the
 * sources, so a test never exercises stale code. The check runs at every spawn (a few ms), so an
 * edit during `vitest` watch mode switches the next child to the sources.
 */
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is peers/runtime.ts, or dist/peers/runtime.js when built). */
const ROOT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../..', import.meta.url))

/** The folders tsconfig.build.json compiles. */
const SOURCE_DIRS = ['src', 'peers']

export type ChildRuntime = 'dist' | 'tsx'

/** The runtime for the next child: IPFS_KIT_PEER_RUNTIME when it names one, else dist/ when current. */
export function childRuntime (): ChildRuntime {
  const explicit = process.env.IPFS_KIT_PEER_RUNTIME
  if (explicit === 'dist' || explicit === 'tsx') return explicit
  return distIsCurrent() ? 'dist' : 'tsx'
}

/** `path/to/file.ts` under the repository → its compiled `dist/path/to/file.js`. */
export function builtPath (source: string): string {
  return join(ROOT, 'dist', relative(ROOT, source)).replace(/\.ts$/, '.js')
}

/** True when every .ts under src/ and peers/ has its .js under dist/, modified no earlier than it. */
export function distIsCurrent (): boolean {
  for (const dir of SOURCE_DIRS) {
    for (const source of tsFiles(join(ROOT, dir))) {
      const built = statSync(builtPath(source), { throwIfNoEntry: false })
      if (built == null || built.mtimeMs < statSync(source).mtimeMs) return false
    }
  }
  return true
}

function * tsFiles (dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield * tsFiles(path)
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path
  }
}
