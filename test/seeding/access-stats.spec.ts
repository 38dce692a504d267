/** Access statistics per root: decaying, bounded, persisted, and fed by every local read path. */
import { afterEach, describe, expect, it } from 'vitest'
import { createGatewayServer } from '../../src/http/index.ts'
import { AccessStats } from '../../src/seeding/index.ts'
import { PassThrough } from 'node:stream'
import { main } from '../../src/cli/main.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

/** The CLI in this process (a child would cost seconds of tsx start-up): its exit code and stdout. */
async function cli (argv: string[]): Promise<{ code: number, stdout: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const chunks: Buffer[] = []
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  stderr.resume()
  const code = await main(argv, { stdout, stderr, stdin: () => new PassThrough() })
  return { code, stdout: Buffer.concat(chunks).toString() }
}

const HOUR = 3_600_000

describe('AccessStats', () => {
  it('halves a root\'s score every half-life and counts reads within a window exactly', () => {
    let now = 1_000_000
    const stats = new AccessStats({ halfLifeMs: HOUR, maxRoots: 10, recentReads: 3, now: () => now })
    expect(stats.noteRead('a', 60_000)).toBe(1)
    now += 30_000
    expect(stats.noteRead('a', 60_000)).toBe(2)
    now += 40_000 // the first read is now 70 s old
    expect(stats.noteRead('a', 60_000)).toBe(2)
    expect(stats.get('a')?.reads).toBe(3)
    const score = stats.get('a')?.score ?? 0
    now += HOUR
    expect(stats.get('a')?.score).toBeCloseTo(score / 2, 6)
    now += 2 * HOUR
    expect(stats.get('a')?.score).toBeCloseTo(score / 8, 6)
  })

  it('keeps at most maxRoots roots, dropping the one accessed least recently', () => {
    let now = 0
    const stats = new AccessStats({ halfLifeMs: HOUR, maxRoots: 3, recentReads: 2, now: () => ++now })
    for (const cid of ['a', 'b', 'c']) stats.noteRead(cid)
    stats.noteRead('a') // b is now the least recently read
    stats.noteRead('d')
    expect(stats.list().map(r => r.cid).sort()).toEqual(['a', 'c', 'd'])
    // dropped roots are written as deletions at the next flush
    expect(stats.takeDirty().find(([cid]) => cid === 'b')).toEqual(['b', undefined])
  })

  it('counts a served block only for a root it tracks (constant time, no DAG walk)', () => {
    const stats = new AccessStats({ halfLifeMs: HOUR, maxRoots: 10, recentReads: 2 })
    expect(stats.noteServed('leaf')).toBe(false)
    expect(stats.has('leaf')).toBe(false)
    stats.noteRead('root')
    expect(stats.noteServed('root')).toBe(true)
    expect(stats.get('root')).toMatchObject({ reads: 1, served: 1 })
    expect(stats.get('root')?.score).toBeCloseTo(2, 3)
  })
})

describe('kit.seeding', () => {
  it('counts storage and gateway reads; shows them on /metrics; persists them for `seeding stats --json`', async () => {
    const dataDir = await sandbox.dir()
    const kit = await sandbox.kit({ dataDir })
    const hot = await kit.storage.store('read three times', { pin: false })
    const warm = await kit.storage.store('read once', { pin: false })
    const unread = await kit.storage.store('never read', { pin: false })
    await kit.storage.retrieve(hot)
    let streamed = 0
    for await (const chunk of kit.storage.stream(hot)) streamed += chunk.byteLength
    expect(streamed).toBe(16)
    await kit.storage.retrieve(warm)

    const gateway = createGatewayServer(kit, { host: '127.0.0.1', port: 0 })
    await gateway.start()
    try {
      const res = await fetch(`${gateway.url}/ipfs/${hot}`)
      expect(await res.text()).toBe('read three times')
    } finally {
      await gateway.stop()
    }

    const stats = kit.seeding.stats()
    expect(stats.roots.map(r => [r.cid, r.reads])).toEqual([[hot, 3], [warm, 1]])
    expect(stats.roots.some(r => r.cid === unread)).toBe(false)
    const metrics = await kit.telemetry.prometheus()
    expect(metrics).toContain(`ipfs_kit_seeding_root_score{cid="${hot}"}`)
    expect(metrics).toContain('ipfs_kit_seeding_reads_total{kind="local"} 4')
    expect(metrics).toContain('ipfs_kit_seeding_tracked_roots 2')
    await kit.stop()

    const run = await cli(['seeding', 'stats', '--json', '--offline', '--data-dir', dataDir])
    expect(run.code).toBe(0)
    const shown = JSON.parse(run.stdout)
    expect(shown.roots.map((r: { cid: string, reads: number }) => [r.cid, r.reads])).toEqual([[hot, 3], [warm, 1]])
    expect(shown.roots[0].score).toBeGreaterThan(shown.roots[1].score)
  })
})
