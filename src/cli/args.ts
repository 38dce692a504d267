/**
 * Parsing the command line with `node:util` parseArgs. Flags may come before
 * or after the command words, so parsing runs twice: leniently with every
 * known flag to find the command, then strictly with the global flags and
 * that command's own.
 */
import { parseArgs } from 'node:util'
import { UsageError } from './errors.ts'
import type { Command, FlagValues, Flags, GlobalOptions } from './command.ts'
import type { ParseArgsOptionsConfig } from 'node:util'

export const GLOBAL_FLAGS: Flags = {
  offline: { type: 'boolean', description: 'run without libp2p (no peers); a running daemon is still used' },
  'data-dir': { type: 'string', value: '<dir>', description: 'data directory (default: $IPFS_KIT_CACHE_DIR, config cache_dir, ~/.cache/ipfs_accelerate)' },
  config: { type: 'string', value: '<file>', description: 'YAML config file merged over the defaults' },
  json: { type: 'boolean', description: 'machine-readable JSON on stdout' },
  debug: { type: 'boolean', description: 'stack traces on errors, and ipfs-kit debug logs on stderr' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', short: 'V', description: 'print the version' }
}

export interface ParsedCommandLine {
  /** Undefined when no command word was given. */
  command: Command | undefined
  /** A group word given without (or with an unknown) subcommand, e.g. `pin`. */
  group: string | undefined
  args: string[]
  flags: FlagValues
  globals: GlobalOptions
  help: boolean
  version: boolean
}

export function parseCommandLine (argv: string[], commands: readonly Command[]): ParsedCommandLine {
  const everyFlag: Flags = { ...GLOBAL_FLAGS }
  for (const command of commands) Object.assign(everyFlag, command.flags)
  const lenient = parseArgs({ args: argv, options: toParseArgs(everyFlag), strict: false, allowPositionals: true })

  const words = lenient.positionals
  const command = findCommand(words, commands)
  const wantsHelp = lenient.values.help === true || (words[0] === 'help')
  const helpWords = words[0] === 'help' ? words.slice(1) : words
  if (command == null) {
    const first = helpWords[0]
    const group = first != null && commands.some(c => c.name.startsWith(first + ' ')) ? first : undefined
    if (first != null && group == null) throw new UsageError(`unknown command: ${first}`)
    if (group != null && !wantsHelp) {
      const sub = helpWords[1]
      const choices = commands.filter(c => c.name.startsWith(group + ' ')).map(c => c.name.slice(group.length + 1))
      throw new UsageError(sub == null ? `${group} needs a subcommand: ${choices.join(', ')}` : `unknown command: ${group} ${sub}`, `run \`ipfs-kit ${group} --help\``)
    }
    const strict = strictParse(argv, GLOBAL_FLAGS, 'ipfs-kit --help')
    return { command: undefined, group, args: [], flags: {}, globals: globals(strict.values), help: wantsHelp, version: strict.values.version === true }
  }

  const strict = strictParse(argv, { ...GLOBAL_FLAGS, ...command.flags }, `ipfs-kit ${command.name} --help`)
  const nameWords = command.name.split(' ').length
  const skip = strict.positionals[0] === 'help' ? nameWords + 1 : nameWords
  const args = strict.positionals.slice(skip)
  const help = strict.values.help === true || strict.positionals[0] === 'help'
  if (!help) {
    const [min, max] = command.args
    if (args.length < min) throw new UsageError(`${command.name}: missing argument ${command.usage}`, `run \`ipfs-kit ${command.name} --help\``)
    if (args.length > max) throw new UsageError(`${command.name}: unexpected argument ${JSON.stringify(args[max])}`, `run \`ipfs-kit ${command.name} --help\``)
  }
  const flags: FlagValues = {}
  for (const key of Object.keys(command.flags ?? {})) flags[key] = strict.values[key]
  return { command, group: undefined, args, flags, globals: globals(strict.values), help, version: strict.values.version === true }
}

/** The longest command whose words start the positionals (after an optional `help`). */
function findCommand (words: string[], commands: readonly Command[]): Command | undefined {
  const rest = words[0] === 'help' ? words.slice(1) : words
  let best: Command | undefined
  for (const command of commands) {
    const name = command.name.split(' ')
    if (name.every((word, i) => rest[i] === word) && (best == null || name.length > best.name.split(' ').length)) best = command
  }
  return best
}

function strictParse (argv: string[], flags: Flags, helpCommand: string): { values: FlagValues, positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: toParseArgs(flags), strict: true, allowPositionals: true })
    return { values: values as FlagValues, positionals }
  } catch (err: any) {
    const message = String(err.message)
    // for an unknown option, parseArgs adds advice about `--` that rarely applies; keep its first sentence
    throw new UsageError(err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? message.split('. ')[0] ?? message : message, `run \`${helpCommand}\` for usage`)
  }
}

function toParseArgs (flags: Flags): ParseArgsOptionsConfig {
  const out: ParseArgsOptionsConfig = {}
  for (const [name, spec] of Object.entries(flags)) {
    out[name] = spec.short == null
      ? { type: spec.type, multiple: spec.multiple ?? false }
      : { type: spec.type, multiple: spec.multiple ?? false, short: spec.short }
  }
  return out
}

function globals (values: FlagValues): GlobalOptions {
  return {
    offline: values.offline === true,
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined,
    config: typeof values.config === 'string' ? values.config : undefined,
    json: values.json === true,
    debug: values.debug === true
  }
}

/** A flag holding a non-negative integer, or undefined when absent. */
export function integerFlag (flags: FlagValues, name: string): number | undefined {
  const value = flags[name]
  if (value == null) return undefined
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`)
  }
  return Number(value)
}

/** A repeatable string flag, or undefined when absent. */
export function listFlag (flags: FlagValues, name: string): string[] | undefined {
  const value = flags[name]
  if (value == null) return undefined
  return Array.isArray(value) ? value : [String(value)]
}
