/** Errors of the command line itself (the library's own are in src/errors.ts). */
import { KitError } from '../errors.ts'

/** The command line is wrong: unknown command or flag, missing or extra argument. Exit code 2. */
export class UsageError extends KitError {
  static override readonly name = 'UsageError'
  override readonly name = 'UsageError'
  override readonly code = 'ERR_USAGE'

  constructor (message: string, hint = 'run `ipfs-kit --help` for usage') {
    super(message, hint)
  }
}

/** A command ran but could not do what was asked (nothing to unpin, nothing to remove). Exit code 1. */
export class CommandFailedError extends KitError {
  static override readonly name = 'CommandFailedError'
  override readonly name = 'CommandFailedError'
  override readonly code = 'ERR_COMMAND_FAILED'
}
