/** Command-line parsing: flags anywhere, command words, usage errors. */
import { describe, expect, it } from 'vitest'
import { integerFlag, parseCommandLine } from '../../src/cli/args.ts'
import { COMMANDS } from '../../src/cli/commands/index.ts'

const parse = (...argv: string[]): ReturnType<typeof parseCommandLine> => parseCommandLine(argv, COMMANDS)

describe('parseCommandLine', () => {
  it('finds two-word commands and takes global flags before or after them', () => {
    const parsed = parse('--data-dir', '/d', 'pin', 'add', 'bafk', '--json')
    expect(parsed.command?.name).toBe('pin add')
    expect(parsed.args).toEqual(['bafk'])
    expect(parsed.globals).toEqual({ offline: false, dataDir: '/d', config: undefined, json: true, debug: false })
  })

  it('reads - as the stdin argument of add', () => {
    const parsed = parse('add', '-', '--pin', '--filename', 'x.bin')
    expect(parsed.args).toEqual(['-'])
    expect(parsed.flags).toEqual({ pin: true, filename: 'x.bin' })
  })

  it('collects repeated --listen and --bootstrap for daemon', () => {
    const parsed = parse('daemon', '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/1', '--bootstrap', '/ip4/127.0.0.1/tcp/2')
    expect(parsed.flags.listen).toEqual(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/1'])
    expect(parsed.flags.bootstrap).toEqual(['/ip4/127.0.0.1/tcp/2'])
  })

  it('rejects a flag that belongs to another command', () => {
    expect(() => parse('ls', '--pin')).toThrow(expect.objectContaining({ name: 'UsageError', message: "Unknown option '--pin'" }))
  })

  it('treats help and --help as requests for help, not usage errors', () => {
    expect(parse('help', 'pin', 'rm')).toMatchObject({ help: true, command: { name: 'pin rm' } })
    expect(parse('pin', '--help')).toMatchObject({ help: true, command: undefined, group: 'pin' })
    expect(parse('cat', '--help')).toMatchObject({ help: true, command: { name: 'cat' } })
    expect(parse()).toMatchObject({ help: false, command: undefined })
  })

  it('throws UsageError for unknown commands and wrong argument counts', () => {
    expect(() => parse('pin', 'frob')).toThrow('unknown command: pin frob')
    expect(() => parse('rm')).toThrow('rm: missing argument <cid>')
    expect(() => parse('gc', 'extra')).toThrow('gc: unexpected argument "extra"')
  })

  it('parses integer flags strictly', () => {
    expect(integerFlag({ offset: '42' }, 'offset')).toBe(42)
    expect(integerFlag({}, 'offset')).toBeUndefined()
    expect(() => integerFlag({ offset: '1e3' }, 'offset')).toThrow('--offset must be a non-negative integer')
    expect(() => integerFlag({ offset: '99999999999999999999' }, 'offset')).toThrow('--offset must be a non-negative integer')
  })
})
