import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

describe('examples', () => {
  it('quick-start runs and prints the real CIDs', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/quick-start.ts'], { env: { ...process.env, IPFS_KIT_DISABLE: '' } })
    expect(stdout).toContain('hello.txt   bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    expect(stdout).toContain('retrieve    hello world')
    expect(stdout).toContain('range bytes 20')
    expect(stdout).toMatch(/weights\.bin bafybei[a-z2-7]{52}/)
  })
  it('distribute-model publishes on one worker and pulls by name on the other', async () => {
    const work = await mkdtemp(join(tmpdir(), 'ipfs-kit-example-'))
    try {
      await mkdir(join(work, 'model', 'tokenizer'), { recursive: true })
      await writeFile(join(work, 'model', 'config.json'), '{"a": 1}')
      await writeFile(join(work, 'model', 'tokenizer', 'vocab.txt'), 'hello\nworld\n')
      const { stdout } = await run(process.execPath, ['--import', import.meta.resolve('tsx'), resolve('examples/distribute-model/index.ts'), join(work, 'model'), 'acme/example'], { cwd: work, env: { ...process.env, IPFS_KIT_DISABLE: '' } })
      expect(stdout).toMatch(/A published acme\/example: 2 files/)
      expect(stdout).toMatch(/B pulled 2 files/)
      expect(await readFile(join(work, 'pulled-model', 'tokenizer', 'vocab.txt'), 'utf8')).toBe('hello\nworld\n')
      expect(await readFile(join(work, 'hf-cache', 'models--acme--example', 'refs', 'main'), 'utf8')).toMatch(/^[0-9a-f]{40}$/)
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }, 60_000)
  it('inference-cache computes on A once and B gets the verified result from A, then a local hit', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/inference-cache/index.ts', 'a great film'], { env: { ...process.env, IPFS_KIT_DISABLE: '' } })
    expect(stdout).toContain('A computed  {"label":"positive","score":0.93}')
    expect(stdout).toMatch(/B got {7}\{"label":"positive","score":0\.93\} in \d+ ms \(model runs: 1, remote hits: 1\)/)
    expect(stdout).toMatch(/B again {5}local hit in [\d.]+ ms \(model runs: 1,/)
    expect(stdout).toMatch(/key {9}sha256:[0-9a-f]{64}/)
  }, 60_000)
})
