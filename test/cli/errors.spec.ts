/** Exit codes, the one-line error format, help and config checking. */
import fs from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, run, tempDir } from './helpers.ts'

describe('ipfs-kit usage and errors', () => {
  let dir: string
  let flags: string[]

  beforeAll(async () => {
    dir = await tempDir()
    flags = ['--offline', '--data-dir', path.join(dir, 'repo')]
  })
  afterAll(cleanup)

  it.each([
    [['frobnicate'], 'Error: unknown command: frobnicate'],
    [['ls', '--frobnicate'], "Error: Unknown option '--frobnicate'"],
    [['cat'], 'Error: cat: missing argument <cid>'],
    [['cat', 'a', 'b'], 'Error: cat: unexpected argument "b"'],
    [['pin'], 'Error: pin needs a subcommand: add, rm, ls'],
    [['cat', 'x', '--offset', '-5'], /^Error: Option '--offset' argument is ambiguous\. .*'--offset=-XYZ'\.$/],
    [['cat', 'x', '--length', 'ten'], 'Error: --length must be a non-negative integer, got "ten"']
  ])('exits 2 on the usage error %j', async (args, line) => {
    const result = await run([...args, ...flags])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    if (typeof line === 'string') expect(lines[0]).toBe(line)
    else expect(lines[0]).toMatch(line)
    expect(lines[1]).toMatch(/^hint: run `ipfs-kit .*--help`/)
  })

  it('prints help for no command on stderr with exit 2, and for --help on stdout with exit 0', async () => {
    const bare = await run([])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(/^Usage: ipfs-kit <command> \[flags\]/)
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toBe(bare.stderr)
    for (const command of ['init', 'daemon', 'id', 'add', 'cat', 'get', 'ls', 'pin add', 'pin rm', 'pin ls', 'rm', 'gc', 'status', 'config show', 'config validate']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
    const daemonHelp = await run(['daemon', '--help'])
    expect(daemonHelp.code).toBe(0)
    expect(daemonHelp.stdout).toMatch(/--listen <multiaddr>.*\(repeatable\)/)
    expect(daemonHelp.stdout).toMatch(/--bootstrap <multiaddr>.*\(repeatable\)/)
  })

  it('exits 1 on a bad CID with one error line, a hint and no stack trace', async () => {
    const result = await run(['pin', 'rm', 'not-a-cid', ...flags])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('Error: not a valid CID: "not-a-cid"\nhint: pass a CID such as bafkrei…\n')
    // cat also takes the name a file was stored under: a string that is neither says so in one line
    const cat = await run(['cat', 'not-a-cid', ...flags])
    expect(cat).toMatchObject({ code: 1, stdout: '' })
    expect(cat.stderr).toMatch(/^Error: content not found: not-a-cid\nhint: [^\n]+\n$/)
  })

  it('adds the stack trace with --debug', async () => {
    const result = await run(['pin', 'rm', 'not-a-cid', '--debug', ...flags])
    expect(result.code).toBe(1)
    // --debug also turns on the debug log (lines before the error), then the error with its stack
    expect(result.stderr).toMatch(/(^|\n)Error: not a valid CID: "not-a-cid"\nhint: .*\nInvalidCIDError: .*\n\s+at /)
  })

  it('exits 1 naming the path when the file to add does not exist', async () => {
    const missing = path.join(dir, 'nope.bin')
    const result = await run(['add', missing, ...flags])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`Error: no such file: ${missing}\nhint: check the path\n`)
  })

  it('exits 1 when asked to add a directory', async () => {
    const result = await run(['add', dir, ...flags])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`Error: ${dir} is a directory; add takes one file\nhint: add its files one by one, or stream an archive: tar c dir | ipfs-kit add -\n`)
  })

  it('validates a config file: ok, or exit 1 with the key path of the problem', async () => {
    const good = path.join(dir, 'good.yaml')
    await fs.writeFile(good, 'ipfs_kit:\n  performance:\n    max_cache_size: 512MiB\n')
    const ok = await run(['config', 'validate', good])
    expect(ok).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' })
    expect((await run(['config', 'validate', '--config', good, '--json'])).stdout).toBe(JSON.stringify({ ok: true, file: good }) + '\n')

    const bad = path.join(dir, 'bad.yaml')
    await fs.writeFile(bad, 'ipfs_kit:\n  performance:\n    max_cache_size: lots\n')
    const result = await run(['config', 'validate', bad])
    expect(result.code).toBe(1)
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^Error: invalid config .*ipfs_kit\.performance\.max_cache_size: /)
    expect(lines[1]).toMatch(/^hint: /)

    const typo = path.join(dir, 'typo.yaml')
    await fs.writeFile(typo, 'ipfs_kit:\n  node:\n    lisen: []\n')
    expect((await run(['config', 'validate', '--config', typo])).stderr).toMatch(/^Error: invalid config .*ipfs_kit\.node\.lisen: unknown key\n/)
  })

  it('shows the resolved config as YAML, with the --config file merged in', async () => {
    const file = path.join(dir, 'listen.yaml')
    await fs.writeFile(file, 'ipfs_kit:\n  node:\n    listen: ["/ip4/127.0.0.1/tcp/4999"]\n')
    const result = await run(['config', 'show', '--config', file])
    expect(result.code).toBe(0)
    const config = parse(result.stdout)
    expect(config.ipfs_kit.node.listen).toEqual(['/ip4/127.0.0.1/tcp/4999'])
    expect(config.ipfs_kit.node.dht_protocol).toBe('/ipfs-kit/kad/1.0.0')
  })
})
