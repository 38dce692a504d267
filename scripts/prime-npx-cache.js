// Part of `npm install` (the `prepare` script): make `npx ipfs-kit` quiet on the Node 20 that
// README says is enough to install.
//
// Why: when the current package has a bin of that name, `npx ipfs-kit` does not run
// ./bin/ipfs-kit.js directly; npm first "installs" this checkout into its npx cache
// (~/.npm/_npx/<hash of the checkout's path>, a symlink) so the bin gets linked. That one-time
// install checks our `engines` (node >= 22) against the Node running *npm*, and on Node 20 prints
// `npm warn EBADENGINE` for ipfs-kit@0.1.0 (twice: the link and its target). The warning is a false
// alarm here: bin/ipfs-kit.js re-runs itself under node_modules/.bin/node (Node 24). Once the cache
// entry exists, later `npx ipfs-kit` runs find it and install nothing, so they print nothing (and
// skip the rebuild of dist/ that the install runs through our `prepare`).
//
// So we create that entry now, with npm running under Node >= 22 (the one `npm install` just put in
// node_modules/.bin, which is also the `node` an npm script sees first on PATH): the engine check
// then passes and there is nothing to warn about. No log level is lowered, no warning filtered:
// npm's real warnings and errors, of this step and of every later npx, still print.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const npmCli = process.env.npm_execpath

const node = nodeAtLeast22()
if (npmCli == null || !/^npm-cli\.[cm]?js$/.test(basename(npmCli))) {
  // run by hand, or by another package manager: its npx (if any) works differently
  console.log('prime-npx-cache: not run by npm, nothing to do')
} else if (process.env.npm_command === 'pack' || process.env.npm_command === 'publish') {
  // `prepare` also runs before packing, where no one is about to use npx in this directory
} else if (node == null) {
  console.log('prime-npx-cache: no Node >= 22 in node_modules/.bin (the `node` devDependency is missing), skipped')
} else {
  // `npm exec --package=<this checkout>` keys the cache entry by the checkout's absolute path,
  // exactly as `npx ipfs-kit` run here does; `node -e 0` is a command that does nothing.
  // --ignore-scripts: installing the checkout would run its `prepare` (this script) again
  const result = spawnSync(node, [npmCli, 'exec', '--yes', '--ignore-scripts', `--package=${ROOT}`, '--', 'node', '-e', '0'], { cwd: ROOT, stdio: 'inherit' })
  if (result.status !== 0) {
    // not fatal for the install: the only cost is npm's warning on the first `npx ipfs-kit`
    console.error(`prime-npx-cache: \`npm exec --package=${ROOT}\` failed (${result.error?.message ?? `exit ${result.status}`}); the first \`npx ipfs-kit\` may print npm's EBADENGINE warning`)
  }
}

/** The Node that runs this script if it is >= 22, else the one in node_modules/.bin, else null. */
function nodeAtLeast22 () {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath
  const local = join(ROOT, 'node_modules', '.bin', 'node')
  return existsSync(local) ? local : null
}
