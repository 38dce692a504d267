/** What a CLI command is: its words, arguments, flags and what it runs. */
import type { Io } from './output.ts'
import type { Session } from './session.ts'

/** A flag, as `node:util` parseArgs takes it, plus what help prints. */
export interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** Placeholder in help, e.g. `<multiaddr>`. */
  value?: string
  description: string
}

export type Flags = Record<string, FlagSpec>
export type FlagValues = Record<string, string | boolean | string[] | undefined>

/** Flags every command takes. */
export interface GlobalOptions {
  offline: boolean
  dataDir: string | undefined
  config: string | undefined
  json: boolean
  debug: boolean
}

export interface CommandContext {
  /** Arguments after the command words. */
  args: string[]
  /** The command's own flags. */
  flags: FlagValues
  globals: GlobalOptions
  io: Io
  /** The node to run on: a Kit opened here, or the daemon holding the data directory. Opened once, closed by main. */
  session(): Promise<Session>
}

export interface Command {
  /** Command words, e.g. `pin add`. */
  name: string
  /** Positional arguments for help, e.g. `<cid>`. */
  usage: string
  summary: string
  /** Longer help text. */
  description?: string
  flags?: Flags
  /** Fewest and most positional arguments. */
  args: [min: number, max: number]
  /** Opened locally, the command uses libp2p (it may fetch from peers); otherwise a local Kit is opened offline. */
  network?: boolean
  run(ctx: CommandContext): Promise<void>
}
