/**
 * Through a daemon, a command means what it means without one: relative paths
 * and `--hf-cache` belong to the shell that typed the command, not to the
 * daemon (whose working directory here is the repository root). One daemon,
 * CLI processes started in another directory.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MiB, ROOT, cleanup, exists, run, runJson, startDaemon, tempDir } from './helpers.ts'
import type { Daemon } from './helpers.ts'

describe('CLI through a daemon, started in another directory', () => {
  let repo: string
  let work: string
  let daemon: Daemon
  const weights = randomBytes(2 * MiB + 3)

  beforeAll(async () => {
    const dir = await tempDir()
    repo = path.join(dir, 'repo')
    work = path.join(dir, 'work')
    await fs.mkdir(path.join(work, 'my-model'), { recursive: true })
    await fs.writeFile(path.join(work, 'my-model', 'weights.bin'), weights)
    await fs.writeFile(path.join(work, 'my-model', 'config.json'), '{"layers":2}')
    daemon = await startDaemon(repo, ['--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--gateway', '127.0.0.1:0'])
  }, 60_000)
  afterAll(async () => {
    await daemon?.stop()
    await cleanup()
  })

  it('adds a relative input and saves get -o to a relative path, with the caller\'s file mode', async () => {
    const added = await runJson(['add', 'my-model/weights.bin', '--data-dir', repo], { cwd: work })
    expect(added).toMatchObject({ size: weights.length, filename: 'weights.bin' })
    const saved = await runJson(['get', added.cid, '-o', 'copy.bin', '--data-dir', repo], { cwd: work })
    expect(saved).toEqual({ cid: added.cid, path: path.join(work, 'copy.bin'), size: weights.length })
    expect((await fs.readFile(path.join(work, 'copy.bin'))).equals(weights)).toBe(true)
    expect(await exists(path.join(ROOT, 'copy.bin'))).toBe(false)
    // the CLI inherits this process's umask; the daemon wrote the file, with the mode the CLI asked for
    const umask = process.umask()
    expect((await fs.stat(path.join(work, 'copy.bin'))).mode & 0o777).toBe(0o666 & ~umask)
    expect((await fs.readdir(work)).filter(name => name.endsWith('.part'))).toEqual([])
  }, 30_000)

  it('publishes a relative model directory and pulls into -o and --hf-cache of the caller', async () => {
    const published = await runJson(['model', 'publish', 'my-model', '--name', 'acme/tiny', '--data-dir', repo], { cwd: work })
    expect(published).toMatchObject({ name: 'acme/tiny', files: 2 })
    // a relative HF_HUB_CACHE, as huggingface_hub reads it: against the caller's directory
    const pulled = await runJson(['model', 'pull', 'acme/tiny', '-o', 'pulled', '--hf-cache', '--data-dir', repo], { cwd: work, env: { HF_HUB_CACHE: 'hf-hub', HF_HOME: '' } })
    expect(pulled.dest).toBe(path.join(work, 'pulled'))
    expect((await fs.readFile(path.join(work, 'pulled', 'weights.bin'))).equals(weights)).toBe(true)
    expect(pulled.hfSnapshot).toMatch(new RegExp(`^${path.join(work, 'hf-hub', 'models--acme--tiny', 'snapshots')}/[0-9a-f]{40}$`))
    expect((await fs.readFile(path.join(pulled.hfSnapshot, 'weights.bin'))).equals(weights)).toBe(true)
    expect(await exists(path.join(ROOT, 'pulled'))).toBe(false)
    expect(await exists(path.join(ROOT, 'hf-hub'))).toBe(false)
  }, 30_000)

  it('refuses an output path under a file, before the daemon writes anything', async () => {
    const result = await run(['model', 'pull', 'acme/tiny', '-o', 'my-model/config.json/inside', '--data-dir', repo], { cwd: work })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('is not a directory')
  }, 30_000)

  it('refuses to replace a file in -o that the model did not write, naming it and --force, and replaces it with --force', async () => {
    await fs.mkdir(path.join(work, 'mine'))
    await fs.writeFile(path.join(work, 'mine', 'config.json'), 'my notes')
    const refused = await run(['model', 'pull', 'acme/tiny', '-o', 'mine', '--data-dir', repo], { cwd: work })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(path.join(work, 'mine', 'config.json'))
    expect(refused.stderr).toContain('--force')
    expect(await fs.readdir(path.join(work, 'mine'))).toEqual(['config.json'])
    await runJson(['model', 'pull', 'acme/tiny', '-o', 'mine', '--force', '--data-dir', repo], { cwd: work })
    expect(await fs.readFile(path.join(work, 'mine', 'config.json'), 'utf8')).toBe('{"layers":2}')
  }, 30_000)
})
