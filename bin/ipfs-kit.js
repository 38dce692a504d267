#!/usr/bin/env -S node --max-semi-space-size=8
// The Node flags on the line above are DAEMON_NODE_FLAGS (src/constants.ts
// says why; a test keeps the two equal); `npm start` passes them too.
// The ipfs-kit CLI. The libp2p stack needs Node >= 22; when started by an
// older Node (a shell's system node), re-run under the Node 24 that
// `npm install` placed in this package's node_modules, if there is one.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, '..', 'node_modules', '.bin', 'node'), join(here, '..', '..', '.bin', 'node')]
  const local = candidates.find(p => existsSync(p))
  if (local == null) {
    process.stderr.write(`ipfs-kit needs Node.js >= 22 (this is ${process.version}); run it through npm (npx ipfs-kit) or install Node 22+\n`)
    process.exit(1)
  }
  const result = spawnSync(local, ['--max-semi-space-size=8', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(result.status ?? 1)
}

await runCli()

// The built CLI; in a source checkout that was never built, the TypeScript
// source through tsx (a dev dependency) instead.
async function runCli () {
  const built = new URL('../dist/src/cli/main.js', import.meta.url)
  let cli
  if (existsSync(fileURLToPath(built))) {
    cli = await import(built.href)
  } else {
    const { register } = await import('tsx/esm/api')
    register()
    cli = await import(new URL('../src/cli/main.ts', import.meta.url).href)
  }
  process.exitCode = await cli.main(process.argv.slice(2))
}
