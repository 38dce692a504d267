/**
 * `ipfs-kit daemon`, and CLI commands on its data directory: the daemon holds
 * LevelDB's lock, so each command must go through the control socket.
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createKit } from '../../src/index.ts'
import { ABSENT_CID, HELLO_CID, MiB, cleanup, exists, run, runJson, startDaemon, tempDir } from './helpers.ts'
import type { Kit } from '../../src/index.ts'

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0']
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('ipfs-kit daemon', () => {
  let dir: string
  let repo: string

  beforeEach(async () => {
    dir = await tempDir()
    repo = path.join(dir, 'repo')
  })
  afterEach(cleanup)
  afterAll(cleanup)

  it('serves add, cat, get, ls and id to CLI commands on its directory', async () => {
    const daemon = await startDaemon(repo, LOOPBACK)
    expect(daemon.info.dataDir).toBe(repo)
    expect(daemon.info.peerId).toMatch(/^12D3KooW/)
    expect(daemon.info.addresses).toEqual([expect.stringMatching(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${daemon.info.peerId}$`))])
    expect(await exists(path.join(repo, 'control.sock'))).toBe(true)

    const bytes = randomBytes(3 * MiB + 777)
    await fs.writeFile(path.join(dir, 'model.bin'), bytes)
    const added = await runJson(['add', path.join(dir, 'model.bin'), '--data-dir', repo])
    expect(added).toMatchObject({ size: bytes.length, filename: 'model.bin' })
    const fromStdin = await run(['add', '-', '--pin', '--data-dir', repo], { input: 'hello world' })
    expect(fromStdin).toMatchObject({ code: 0, stdout: HELLO_CID + '\n' })

    const cat = await run(['cat', added.cid, '--data-dir', repo])
    expect(cat.code).toBe(0)
    expect(sha256(cat.stdoutBytes)).toBe(sha256(bytes))
    const range = await run(['cat', added.cid, '--offset', String(2 * MiB - 5), '--length', '10', '--data-dir', repo])
    expect(range.stdoutBytes.equals(bytes.subarray(2 * MiB - 5, 2 * MiB + 5))).toBe(true)
    const out = path.join(dir, 'copy.bin')
    await runJson(['get', added.cid, '-o', out, '--data-dir', repo])
    expect((await fs.readFile(out)).equals(bytes)).toBe(true)

    const files = await runJson<Array<{ cid: string, pinned: boolean }>>(['ls', '--data-dir', repo])
    expect(files.map(f => [f.cid, f.pinned]).sort()).toEqual([[added.cid, false], [HELLO_CID, true]].sort())
    // the daemon's identity and addresses: a command opening the directory itself would listen nowhere
    expect(await runJson(['id', '--data-dir', repo])).toEqual({ peerId: daemon.info.peerId, publisher: expect.stringMatching(/^did:key:z6Mk/), addresses: daemon.info.addresses })
    expect(await runJson(['status', '--data-dir', repo])).toMatchObject({ ipfsKitAvailable: true, usingFallback: false, peerId: daemon.info.peerId })
    expect(await daemon.stop()).toBe(0)
  }, 120_000)

  it('serves pin, rm and gc, and returns the daemon\'s errors as the same one line', async () => {
    const daemon = await startDaemon(repo, ['--offline'])
    const flags = ['--data-dir', repo]
    await run(['add', '-', ...flags], { input: 'hello world' })
    expect(await runJson(['pin', 'add', HELLO_CID, ...flags])).toEqual({ cid: HELLO_CID, pinned: true })
    expect(await runJson(['pin', 'ls', ...flags])).toMatchObject([{ cid: HELLO_CID, blocks: 1 }])
    expect(await runJson(['gc', ...flags])).toEqual({ removedBlocks: 0, freedBytes: 0 })
    expect(await runJson(['rm', HELLO_CID, ...flags])).toEqual({ cid: HELLO_CID, removed: true })
    expect(await runJson(['status', ...flags])).toMatchObject({ usingFallback: true, repo: { blocks: 0, pins: 0 } })

    const badCid = await run(['pin', 'rm', 'not-a-cid', ...flags])
    expect(badCid).toMatchObject({ code: 1, stdout: '', stderr: 'Error: not a valid CID: "not-a-cid"\nhint: pass a CID such as bafkrei…\n' })
    // the same line as the same command on a directory no daemon holds
    const absent = await run(['cat', ABSENT_CID, ...flags])
    const absentLocally = await run(['cat', ABSENT_CID, '--offline', '--data-dir', path.join(dir, 'other')])
    expect(absent.code).toBe(1)
    expect(absent.stderr).toMatch(new RegExp(`^Error: .*${ABSENT_CID}.*\n`))
    expect(absent.stderr).toBe(absentLocally.stderr)
    const notPinned = await run(['pin', 'rm', HELLO_CID, ...flags])
    expect(notPinned).toMatchObject({ code: 1, stderr: `Error: ${HELLO_CID} is not pinned\nhint: run \`ipfs-kit pin ls\` to see the pins\n` })
    const missingFile = await run(['add', path.join(dir, 'nope'), ...flags])
    expect(missingFile).toMatchObject({ code: 1, stderr: `Error: no such file: ${path.join(dir, 'nope')}\nhint: check the path\n` })
    expect(await daemon.stop()).toBe(0)
  }, 120_000)

  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 on %s, removes its socket and frees the directory', async (signal) => {
    const daemon = await startDaemon(repo, LOOPBACK)
    await run(['add', '-', '--pin', '--data-dir', repo], { input: 'hello world' })
    expect(await daemon.stop(signal)).toBe(0)
    expect(await exists(path.join(repo, 'control.sock'))).toBe(false)
    expect(await exists(path.join(repo, 'daemon.json'))).toBe(false)
    // the lock is released: this command opens the directory itself
    const ls = await runJson(['ls', '--offline', '--data-dir', repo])
    expect(ls).toMatchObject([{ cid: HELLO_CID, pinned: true }])
    expect((await runJson(['id', '--offline', '--data-dir', repo])).peerId).toBe(daemon.info.peerId)
  }, 120_000)

  it('replaces the socket left by a daemon that was killed', async () => {
    const first = await startDaemon(repo, ['--offline'])
    expect(await first.stop('SIGKILL')).toBe(null)
    expect(await exists(path.join(repo, 'control.sock'))).toBe(true)
    const second = await startDaemon(repo, ['--offline'])
    expect(second.info.peerId).toBe(first.info.peerId)
    expect(await run(['add', '-', '--data-dir', repo], { input: 'hello world' })).toMatchObject({ code: 0, stdout: HELLO_CID + '\n' })
    expect(await second.stop()).toBe(0)
  }, 120_000)

  it('refuses a second daemon on the same directory', async () => {
    const daemon = await startDaemon(repo, ['--offline'])
    const second = await run(['daemon', '--offline', '--data-dir', repo])
    expect(second.code).toBe(1)
    expect(second.stderr).toBe(`Error: data directory ${repo} is in use by another ipfs-kit process\nhint: stop the other process, or pass a different --data-dir\n`)
    // and the first one still answers
    expect((await runJson(['id', '--data-dir', repo])).peerId).toBe(daemon.info.peerId)
    expect(await daemon.stop()).toBe(0)
  }, 120_000)

  it('reports the lock, naming the directory, when the daemon\'s socket is gone', async () => {
    const daemon = await startDaemon(repo, ['--offline'])
    await fs.rm(path.join(repo, 'control.sock'))
    const result = await run(['ls', '--data-dir', repo])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`Error: data directory ${repo} is in use by another ipfs-kit process\nhint: stop the other process, or pass a different --data-dir\n`)
    expect(await daemon.stop()).toBe(0)
  }, 120_000)

  describe('when the directory is held by a process whose socket never answers', () => {
    let kit: Kit | undefined
    let server: net.Server | undefined

    afterEach(async () => {
      server?.close()
      await kit?.stop()
    })

    it('reports the lock after the control timeout', async () => {
      kit = await createKit({ dataDir: repo, offline: true })
      // accepts connections, never answers
      server = net.createServer(() => {})
      await new Promise<void>(resolve => server?.listen(path.join(repo, 'control.sock'), resolve))
      const started = Date.now()
      const result = await run(['id', '--data-dir', repo])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(`Error: data directory ${repo} is in use by another ipfs-kit process\nhint: stop the other process, or pass a different --data-dir\n`)
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000)
    }, 60_000)
  })
})
