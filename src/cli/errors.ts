/** Errors of the command line; the classes live with every other named error in src/errors.ts. */
export { UsageError, CommandFailedError } from '../errors.ts'
