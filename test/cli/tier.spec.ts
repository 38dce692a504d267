/** `ipfs-kit add --backends` and `ipfs-kit tier` as real processes against an S3-compatible server (s3rver, loopback). */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, expect, it } from 'vitest'
import { S3Server } from '../fixtures/s3-server.ts'
import { MiB, cleanup, run, runJson, tempDir } from './helpers.ts'

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
let server: S3Server | undefined
afterEach(async () => {
  await cleanup()
  await server?.stop()
})
afterAll(cleanup)

it('adds to local + s3, moves to cold (disk freed) with --json, cats it back, and refuses an unknown backend', async () => {
  const dir = await tempDir()
  await fs.mkdir(path.join(dir, 's3'))
  server = await new S3Server(path.join(dir, 's3')).start()
  const config = path.join(dir, 'ipfs-kit.yaml')
  const { backends } = server.kitConfig().ipfs_kit as any
  await fs.writeFile(config, JSON.stringify({ ipfs_kit: { backends } })) // JSON is YAML
  const flags = ['--offline', '--data-dir', path.join(dir, 'repo'), '--config', config]
  const data = randomBytes(2 * MiB + 3)
  await fs.writeFile(path.join(dir, 'weights.bin'), data)

  const added = await runJson(['add', path.join(dir, 'weights.bin'), '--backends', 'local,s3', ...flags])
  expect(added.failedBackends).toBeUndefined()
  const cold = await runJson(['tier', added.cid, '--to', 'cold', ...flags])
  expect(cold).toEqual({ cid: added.cid, hot: 0, warm: 0, cold: expect.any(Number) }) // warm 0: the disk copy is gone
  expect(cold.cold).toBeGreaterThan(data.byteLength)
  const cat = await run(['cat', added.cid, ...flags])
  expect(cat.code).toBe(0)
  expect(sha256(cat.stdoutBytes)).toBe(sha256(data))

  const bad = await run(['add', path.join(dir, 'weights.bin'), '--backends', 'local,tape', ...flags])
  expect(bad.code).not.toBe(0)
  expect(bad.stderr).toContain('--backends takes a comma-separated list')
}, 120_000) // four CLI processes
