/**
 * The `ipfs-kit` command line: parse, run one command, print its result or
 * one error line, and return the exit code (0 ok, 1 failed, 2 usage error).
 */
import { enable } from '@libp2p/logger'
import { packageVersion } from '../package-root.ts'
import { parseCommandLine } from './args.ts'
import { COMMANDS } from './commands/index.ts'
import { commandHelp, generalHelp, groupHelp } from './help.ts'
import { exitCodeFor, formatError, processIo } from './output.ts'
import { openSession } from './session.ts'
import type { CommandContext } from './command.ts'
import type { Io } from './output.ts'
import type { Session } from './session.ts'

/**
 * Run the CLI.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2))
 */
export async function main (argv: string[], io: Io = processIo()): Promise<number> {
  // known before parsing, so a parse failure can show its stack too
  let debug = argv.includes('--debug')
  try {
    const parsed = parseCommandLine(argv, COMMANDS)
    debug = parsed.globals.debug
    if (debug) enable('ipfs-kit*')
    if (parsed.version) {
      io.stdout.write(`ipfs-kit ${packageVersion()}\n`)
      return 0
    }
    const command = parsed.command
    if (parsed.help) {
      io.stdout.write(command != null ? commandHelp(command) : parsed.group != null ? groupHelp(parsed.group, COMMANDS) : generalHelp(COMMANDS))
      return 0
    }
    if (command == null) {
      io.stderr.write(generalHelp(COMMANDS))
      return 2
    }

    let opened: Promise<Session> | undefined
    const context: CommandContext = {
      args: parsed.args,
      flags: parsed.flags,
      globals: parsed.globals,
      io,
      session: async () => await (opened ??= openSession({ globals: parsed.globals, network: command.network === true }))
    }
    try {
      await command.run(context)
    } finally {
      if (opened != null) await (await opened.catch(() => undefined))?.close()
    }
    return 0
  } catch (err) {
    io.stderr.write(formatError(err, debug))
    return exitCodeFor(err)
  }
}
