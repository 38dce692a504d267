/**
 * Checks the CLI makes before a daemon writes for it: the daemon runs as the
 * same user (its control socket admits no one else), but the user asked for
 * a path relative to their own shell, permissions included, so a path the
 * caller cannot write is refused here, by the caller, before anything runs.
 */
import { constants } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { CommandFailedError } from './errors.ts'

/**
 * Throw CommandFailedError unless this process may write into directory
 * `target`: it, or when it does not exist yet the nearest existing directory
 * above it (whoever writes creates the rest), must be writable.
 *
 * @example
 * await assertWritableDir('/data/models/acme-tiny')
 */
export async function assertWritableDir (target: string): Promise<void> {
  let dir = path.resolve(target)
  for (;;) {
    const stat = await fs.stat(dir).catch(() => undefined)
    if (stat != null) {
      if (!stat.isDirectory()) throw new CommandFailedError(`cannot write into ${target}: ${dir} is not a directory`, 'choose another output path')
      break
    }
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  await fs.access(dir, constants.W_OK).catch(() => {
    throw new CommandFailedError(`cannot write into ${target}: no write permission on ${dir}`, 'choose another output path, or fix the directory\'s permissions')
  })
}

/** The mode a file created by this process would get: `0o666` less the umask. */
export function newFileMode (): number {
  // process.umask() without an argument reads the mask (a documentation-only deprecation: it sets and resets it)
  return 0o666 & ~process.umask()
}
