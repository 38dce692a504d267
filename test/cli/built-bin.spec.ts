/**
 * The CLI as users run it: `bin/ipfs-kit.js` over the built dist/ (what `npm start` and
 * `npx ipfs-kit` execute), started as users start it rather than through src/cli/entry as the
 * other CLI tests do.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { distIsCurrent } from '../../peers/runtime.ts'

const run = promisify(execFile)
const ROOT = new URL('../..', import.meta.url).pathname

describe('the built CLI (bin/ipfs-kit.js over dist/)', () => {
  let dir: string

  beforeAll(async () => {
    // build from the current sources unless dist/ is already built from them, so the test never runs a stale dist/
    if (!distIsCurrent()) await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT })
    expect(distIsCurrent()).toBe(true)
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-bin-'))
  }, 120_000)

  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('adds and reads back offline', async () => {
    const bin = join(ROOT, 'bin', 'ipfs-kit.js')
    const added = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'add', '-', '--offline', '--data-dir', join(dir, 'a')], { cwd: ROOT })
      let out = ''
      child.stdout.on('data', (d: Buffer) => { out += d.toString() })
      child.on('error', reject)
      child.on('close', code => { if (code === 0) resolve(out.trim()); else reject(new Error(`exit ${code}`)) })
      child.stdin.end('hello world')
    })
    expect(added).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    const cat = await run(process.execPath, [bin, 'cat', added, '--offline', '--data-dir', join(dir, 'a')], { cwd: ROOT })
    expect(cat.stdout).toBe('hello world')
  }, 60_000)

  it('runs the daemon with its HTTP API, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'ipfs-kit.js'), 'daemon', '--data-dir', join(dir, 'd'), '--api', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve)
        child.once('exit', code => { reject(new Error(`daemon exited with ${code}`)) })
      })
      const info = JSON.parse(line) as { peerId: string, api: string }
      expect(info.peerId).toMatch(/^12D3KooW/)
      const version = await fetch(`${info.api}/api/v0/version`, { method: 'POST' })
      expect(version.status).toBe(200)
      expect(((await version.json()) as { Version: string }).Version).toMatch(/^\d+\.\d+\.\d+/)
    } finally {
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  }, 60_000)
})
