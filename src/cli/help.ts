/** Help text, generated from the command table so it cannot drift from what is parsed. */
import { GLOBAL_FLAGS } from './args.ts'
import type { Command, Flags } from './command.ts'

export function generalHelp (commands: readonly Command[]): string {
  const width = Math.max(...commands.map(c => signature(c).length))
  return [
    'Usage: ipfs-kit <command> [flags]',
    '',
    'An embedded IPFS node (Helia on libp2p): add, fetch, pin and serve content.',
    'While `ipfs-kit daemon` runs on a data directory, the other commands on that',
    'directory run through it.',
    '',
    'Commands:',
    ...commands.map(c => `  ${signature(c).padEnd(width)}  ${c.summary}`),
    '',
    'Global flags:',
    ...flagLines(GLOBAL_FLAGS),
    '',
    'Exit codes: 0 ok, 1 the operation failed, 2 usage error.',
    'Run `ipfs-kit <command> --help` for a command\'s flags.',
    ''
  ].join('\n')
}

export function groupHelp (group: string, commands: readonly Command[]): string {
  const members = commands.filter(c => c.name.startsWith(group + ' '))
  const width = Math.max(...members.map(c => signature(c).length))
  return [
    `Usage: ipfs-kit ${group} <command> [flags]`,
    '',
    'Commands:',
    ...members.map(c => `  ${signature(c).padEnd(width)}  ${c.summary}`),
    '',
    `Run \`ipfs-kit ${group} <command> --help\` for a command's flags.`,
    ''
  ].join('\n')
}

export function commandHelp (command: Command): string {
  return [
    `Usage: ipfs-kit ${signature(command)} [flags]`,
    '',
    command.summary,
    ...(command.description == null ? [] : ['', command.description]),
    ...(command.flags == null ? [] : ['', 'Flags:', ...flagLines(command.flags)]),
    '',
    'Global flags:',
    ...flagLines(GLOBAL_FLAGS),
    ''
  ].join('\n')
}

function signature (command: Command): string {
  return command.usage === '' ? command.name : `${command.name} ${command.usage}`
}

function flagLines (flags: Flags): string[] {
  const entries = Object.entries(flags).map(([name, spec]) => {
    const short = spec.short == null ? '    ' : `-${spec.short}, `
    return [`${short}--${name}${spec.value == null ? '' : ' ' + spec.value}`, spec.description + (spec.multiple === true ? ' (repeatable)' : '')]
  })
  const width = Math.max(...entries.map(([left]) => (left as string).length))
  return entries.map(([left, right]) => `  ${(left as string).padEnd(width)}  ${right as string}`)
}
