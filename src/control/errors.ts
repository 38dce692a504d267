/** Errors of the control channel. */
import { KitError } from '../errors.ts'
import type { ErrorShape } from './protocol.ts'

/**
 * An error the daemon reported. It keeps the daemon-side `name`, `code` and
 * `hint`, so callers branch on `err.name` exactly as for a local failure.
 */
export class RemoteError extends KitError {
  static override readonly name = 'RemoteError'
  override readonly name: string
  override readonly code: string

  constructor (shape: ErrorShape) {
    super(shape.message, shape.hint)
    this.name = shape.name
    this.code = shape.code ?? 'ERR_REMOTE'
  }
}

export { ControlSocketError, BadRequestError } from '../errors.ts'
