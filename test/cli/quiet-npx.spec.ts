/**
 * README's set-up: a system Node 20 runs npm and npx, `npm install` brings Node 24, and
 * `npx ipfs-kit …` works (bin/ipfs-kit.js re-runs itself under Node 24). npx's first run in a
 * checkout installs the checkout into npm's npx cache and warns `EBADENGINE` about our own
 * engines (node >= 22); `npm install` primes that cache entry (scripts/prime-npx-cache.js) so
 * every npx after it is quiet. Each case uses its own empty npm cache, as on a fresh machine.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers.ts'

const node20 = findOldNode()
const dirs: string[] = []

afterAll(async () => {
  await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
})

describe.skipIf(node20 == null)(`npx ipfs-kit under the system Node (${node20 ?? 'none below 22 found on PATH, /usr/bin or /usr/local/bin: nothing to test'})`, () => {
  it('prints no EBADENGINE after npm install primed the npx cache, and still prints real errors', async () => {
    const env = await userEnv()
    // what `npm install` runs in `prepare`, under the Node 24 npm scripts see first on PATH
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'prime-npx-cache.js')], {
      cwd: ROOT,
      env: { ...env, npm_execpath: realpathSync(join(dirname(node20!), 'npm')), npm_command: 'install' },
      stdio: 'pipe'
    })

    const data = await temp()
    const id = await npx(['ipfs-kit', 'id', '--offline', '--json', '--data-dir', data], env)
    expect(id.stderr).not.toMatch(/EBADENGINE/)
    expect(id.code, id.stderr).toBe(0)
    expect(JSON.parse(id.stdout).peerId).toMatch(/^12D3KooW/)

    const bad = await npx(['ipfs-kit', 'no-such-command'], env)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('unknown command: no-such-command')
    expect(bad.stderr).not.toMatch(/EBADENGINE/)
  }, 240_000)

  it('without the priming, the first npx warns (what the priming is for)', async () => {
    // --ignore-scripts only skips the rebuild of dist/ that npx's install would run (`prepare`)
    const result = await npx(['--ignore-scripts', 'ipfs-kit', '--version'], await userEnv())
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/npm warn EBADENGINE/)
  }, 240_000)
})

/** A Node older than 22 (the system one), not the Node 24 in node_modules/.bin. */
function findOldNode (): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(d => !d.includes('node_modules'))
  for (const dir of [...onPath, '/usr/local/bin', '/usr/bin']) {
    const node = join(dir, 'node')
    if (!existsSync(node) || !existsSync(join(dir, 'npx')) || !existsSync(join(dir, 'npm'))) continue
    try {
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
      if (Number(version.slice(1).split('.')[0]) < 22) return node
    } catch { /* not runnable: try the next */ }
  }
  return undefined
}

/** A user's shell: the old Node first on PATH, no npm lifecycle variables, an empty npm cache. */
async function userEnv (): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_')) env[key] = value
  const path = (process.env.PATH ?? '').split(delimiter).filter(d => !d.includes('node_modules'))
  return { ...env, PATH: [dirname(node20!), ...path].join(delimiter), npm_config_cache: await temp(), npm_config_update_notifier: 'false' }
}

async function temp (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-npx-'))
  dirs.push(dir)
  return dir
}

async function npx (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(join(dirname(node20!), 'npx'), args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number | null>((resolve, reject) => { child.once('error', reject); child.once('close', resolve) })
  return { code, stdout, stderr }
}
