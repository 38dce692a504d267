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

/** The daemon could not serve its control socket (path too long, permissions, …). */
export class ControlSocketError extends KitError {
  static override readonly name = 'ControlSocketError'
  override readonly name = 'ControlSocketError'
  override readonly code = 'ERR_CONTROL_SOCKET'

  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super(`cannot serve the control socket ${path}: ${reason}`, 'use a data directory with a shorter path that this user can write to', options)
  }
}

/** A control request the server cannot understand (a client of another version, or not ipfs-kit). */
export class BadRequestError extends KitError {
  static override readonly name = 'BadRequestError'
  override readonly name = 'BadRequestError'
  override readonly code = 'ERR_BAD_REQUEST'

  constructor (message: string) {
    super(message, 'use the ipfs-kit CLI of the same version as the daemon')
  }
}
