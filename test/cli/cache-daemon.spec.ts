/**
 * `ipfs-kit cache put|get|rm|ls|stats` as CLI processes talking to a running
 * daemon (its control channel), the way a shell script on a worker uses it.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, run, runJson, startDaemon, tempDir } from './helpers.ts'
import type { Daemon } from './helpers.ts'

describe('CLI cache commands through a daemon', () => {
  let repo: string
  let work: string
  let daemon: Daemon
  const value = randomBytes(70_000)

  beforeAll(async () => {
    work = await tempDir()
    repo = path.join(work, 'repo')
    daemon = await startDaemon(repo, ['--listen', '/ip4/127.0.0.1/tcp/0'])
  }, 60_000)
  afterAll(async () => {
    await daemon?.stop()
    await cleanup()
  })

  it('puts from stdin, gets the same bytes on stdout and to -o, lists and counts it in the daemon', async () => {
    const put = await run(['cache', 'put', 'sha256:k1', '--ttl', '1h', '--data-dir', repo], { input: value })
    expect(put.code, put.stderr).toBe(0)
    const cid = put.stdout.trim()
    expect(cid).toMatch(/^baf[a-z2-7]+$/)

    const got = await run(['cache', 'get', 'sha256:k1', '--data-dir', repo])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdoutBytes.equals(value)).toBe(true)
    const file = path.join(work, 'out.bin')
    expect((await run(['cache', 'get', 'sha256:k1', '-o', file, '--data-dir', repo])).code).toBe(0)
    expect((await fs.readFile(file)).equals(value)).toBe(true)

    const listed = await runJson(['cache', 'ls', '--data-dir', repo])
    expect(listed).toEqual([{ key: 'sha256:k1', cid, size: value.length, expires: expect.any(Number) }])
    expect(listed[0].expires - Date.now()).toBeGreaterThan(59 * 60_000)
    // the daemon's counters: the two gets were hits in the daemon, not in a CLI process of their own
    expect(await runJson(['cache', 'stats', '--data-dir', repo])).toMatchObject({ entries: 1, bytes: value.length, hits: 2, misses: 0 })
  }, 60_000)

  it('exits 1 on a miss with nothing on stdout and one line on stderr, and counts the miss', async () => {
    const miss = await run(['cache', 'get', 'sha256:absent', '--data-dir', repo])
    expect(miss.code).toBe(1)
    expect(miss.stdoutBytes.length).toBe(0)
    expect(miss.stderr.trim().split('\n')).toHaveLength(1)
    expect(miss.stderr).toContain('cache miss: sha256:absent')
    expect((await runJson(['cache', 'stats', '--data-dir', repo])).misses).toBe(1)
  }, 30_000)

  it('removes an entry, then rm and get of it exit 1', async () => {
    await run(['cache', 'put', 'sha256:k2', '--data-dir', repo], { input: 'short-lived' })
    const removed = await run(['cache', 'rm', 'sha256:k2', '--data-dir', repo])
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.stdout.trim()).toBe('removed sha256:k2')
    const again = await run(['cache', 'rm', 'sha256:k2', '--data-dir', repo])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('no cache entry: sha256:k2')
    expect((await run(['cache', 'get', 'sha256:k2', '--data-dir', repo])).code).toBe(1)
  }, 30_000)

  it('refuses a bad --ttl and an over-long key with one line naming the limit, storing nothing', async () => {
    const ttl = await run(['cache', 'put', 'sha256:k3', '--ttl', 'soon', '--data-dir', repo], { input: 'x' })
    expect(ttl.code).not.toBe(0)
    expect(ttl.stderr).toContain('--ttl must be a duration')
    const long = await run(['cache', 'put', 'k'.repeat(1025), '--data-dir', repo], { input: 'x' })
    expect(long.code).not.toBe(0)
    expect(long.stdoutBytes.length).toBe(0)
    expect(long.stderr).toContain('CACHE_MAX_KEY_BYTES')
    expect((await runJson(['cache', 'ls', '--data-dir', repo])).map((e: { key: string }) => e.key)).toEqual(['sha256:k1'])
  }, 30_000)
})
