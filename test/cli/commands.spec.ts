/** The CLI on a directory no daemon holds: each command opens the node itself (offline). */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ABSENT_CID, HELLO_CID, MiB, cleanup, run, runJson, tempDir } from './helpers.ts'

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('ipfs-kit commands on a local data directory', () => {
  let dir: string
  let flags: string[]

  beforeEach(async () => {
    dir = await tempDir()
    flags = ['--offline', '--data-dir', path.join(dir, 'repo')]
  })
  afterEach(cleanup)
  afterAll(cleanup)

  it('adds a file and prints the CID Kubo gives it', async () => {
    await fs.writeFile(path.join(dir, 'hello.txt'), 'hello world')
    const result = await run(['add', path.join(dir, 'hello.txt'), ...flags])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(HELLO_CID + '\n')
  })

  it('adds from stdin with -', async () => {
    const result = await runJson(['add', '-', '--filename', 'greeting.txt', ...flags], { input: 'hello world' })
    expect(result).toEqual({ cid: HELLO_CID, size: 11, filename: 'greeting.txt' })
    const files = await runJson(['ls', ...flags])
    expect(files).toMatchObject([{ cid: HELLO_CID, filename: 'greeting.txt', size: 11, pinned: false }])
  })

  it('cats a multi-block file back byte for byte, and a range of it', async () => {
    const bytes = randomBytes(3 * MiB + 12345)
    await fs.writeFile(path.join(dir, 'big.bin'), bytes)
    const { cid } = await runJson(['add', path.join(dir, 'big.bin'), ...flags])
    expect(cid).toMatch(/^bafybei/)

    const whole = await run(['cat', cid, ...flags])
    expect(whole.code).toBe(0)
    expect(whole.stdoutBytes.length).toBe(bytes.length)
    expect(sha256(whole.stdoutBytes)).toBe(sha256(bytes))

    const range = await run(['cat', cid, '--offset', String(MiB - 10), '--length', '100', ...flags])
    expect(range.code).toBe(0)
    expect(range.stdoutBytes.equals(bytes.subarray(MiB - 10, MiB + 90))).toBe(true)
  })

  it('gets a file to -o <path>, leaving no partial file behind', async () => {
    const bytes = randomBytes(2 * MiB + 1)
    await fs.writeFile(path.join(dir, 'in.bin'), bytes)
    const { cid } = await runJson(['add', path.join(dir, 'in.bin'), ...flags])
    const target = path.join(dir, 'out.bin')
    const got = await runJson(['get', cid, '-o', target, ...flags])
    expect(got).toEqual({ cid, path: target, size: bytes.length })
    expect((await fs.readFile(target)).equals(bytes)).toBe(true)

    const missing = await run(['get', ABSENT_CID, '-o', path.join(dir, 'absent.bin'), ...flags])
    expect(missing.code).toBe(1)
    expect((await fs.readdir(dir)).sort()).toEqual(['in.bin', 'out.bin', 'repo'])
  })

  it('pins, lists, unpins, removes and collects garbage, with --json', async () => {
    const added = await runJson(['add', '-', '--pin', ...flags], { input: 'hello world' })
    expect(added.cid).toBe(HELLO_CID)
    expect(await runJson(['pin', 'ls', ...flags])).toMatchObject([{ cid: HELLO_CID, blocks: 1 }])
    expect(await runJson(['ls', ...flags])).toMatchObject([{ cid: HELLO_CID, pinned: true }])

    // pinned content survives gc
    expect(await runJson(['gc', ...flags])).toEqual({ removedBlocks: 0, freedBytes: 0 })
    expect(await runJson(['status', ...flags])).toMatchObject({ usingFallback: true, repo: { blocks: 1, bytes: 11, pins: 1 } })

    expect(await runJson(['pin', 'rm', HELLO_CID, ...flags])).toEqual({ cid: HELLO_CID, pinned: false })
    expect(await runJson(['pin', 'ls', ...flags])).toEqual([])
    const again = await run(['pin', 'rm', HELLO_CID, ...flags])
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(`Error: ${HELLO_CID} is not pinned\nhint: run \`ipfs-kit pin ls\` to see the pins\n`)

    // unpinned content goes with gc
    expect(await runJson(['gc', ...flags])).toEqual({ removedBlocks: 1, freedBytes: 11 })
    expect(await runJson(['ls', ...flags])).toEqual([])
    expect((await run(['cat', HELLO_CID, ...flags])).code).toBe(1)
  }, 120_000)

  it('pins content that is here, refuses content that is not, and removes it with rm', async () => {
    await runJson(['add', '-', ...flags], { input: 'hello world' })
    expect(await runJson(['pin', 'add', HELLO_CID, ...flags])).toEqual({ cid: HELLO_CID, pinned: true })
    expect(await runJson(['rm', HELLO_CID, ...flags])).toEqual({ cid: HELLO_CID, removed: true })
    expect(await runJson(['status', ...flags])).toMatchObject({ repo: { blocks: 0, pins: 0 } })
    expect((await run(['rm', HELLO_CID, ...flags])).code).toBe(1)
    const pinAbsent = await run(['pin', 'add', ABSENT_CID, ...flags])
    expect(pinAbsent.code).toBe(1)
    expect(pinAbsent.stderr).toContain(`Error: content not found: ${ABSENT_CID}\n`)
  }, 120_000)

  it('keeps one identity: init, then id --json on every run', async () => {
    const init = await runJson(['init', ...flags])
    expect(init).toEqual({ peerId: expect.stringMatching(/^12D3KooW/), dataDir: path.join(dir, 'repo'), created: true })
    const first = await runJson(['id', ...flags])
    const second = await runJson(['id', ...flags])
    expect(Object.keys(first).sort()).toEqual(['addresses', 'peerId', 'publisher'])
    expect(first.publisher).toMatch(/^did:key:z6Mk/)
    expect(first.peerId).toBe(init.peerId)
    expect(second).toEqual(first)
    expect(Array.isArray(first.addresses)).toBe(true)
    expect(await runJson(['init', ...flags])).toMatchObject({ peerId: init.peerId, created: false })
  }, 120_000)

  it('prints readable tables without --json', async () => {
    await run(['add', '-', '--pin', '--filename', 'hello.txt', ...flags], { input: 'hello world' })
    const ls = await run(['ls', ...flags])
    expect(ls.stdout.split('\n')[0]).toMatch(/^CID\s+SIZE\s+PINNED\s+STORED\s+NAME$/)
    expect(ls.stdout).toMatch(new RegExp(`^${HELLO_CID}\\s+11 B\\s+yes\\s+\\S+\\s+hello.txt$`, 'm'))
    const status = await run(['status', ...flags])
    expect(status.stdout).toContain('repo:     1 block, 11 B, 1 pin\n')
    expect(status.stdout).toContain('node:     offline\n')
  })
})
