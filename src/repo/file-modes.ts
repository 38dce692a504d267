/**
 * Permissions of the data directory, whatever the process umask: the
 * directory is this user's alone (0700), so nothing inside — the LevelDB
 * datastore with the node's identity key, pins, the control socket — is
 * reachable by other users even for the moment between a file's creation and
 * its chmod; files that hold secrets are also 0600 themselves.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../constants.ts'

export interface PrivateDirOptions {
  /** Called when an existing directory was open to other users and has been tightened. */
  onTightened?(dir: string, previousMode: number): void
}

/**
 * Create `dir` (and missing parents) owner-only, or make an existing one so.
 *
 * @example
 * await ensurePrivateDir(dataDir, { onTightened: (dir, mode) => { warn(dir, mode) } })
 */
export async function ensurePrivateDir (dir: string, options: PrivateDirOptions = {}): Promise<void> {
  // mode on mkdir is masked by the umask (0o700 & ~umask, never looser); the chmod below makes it exact
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const stat = await fs.stat(dir)
  const mode = stat.mode & 0o777
  if (mode === PRIVATE_DIR_MODE) return
  // a shared directory (/tmp: sticky, world-writable) is not ours to close; its users need it open
  if ((stat.mode & 0o1000) !== 0 || (mode & 0o002) !== 0) {
    throw new Error(`${dir} is a directory shared with other users (mode ${(stat.mode & 0o7777).toString(8)}); use a directory of its own, e.g. ${path.join(dir, 'ipfs-kit')}`)
  }
  await fs.chmod(dir, PRIVATE_DIR_MODE)
  if ((mode & 0o077) !== 0) options.onTightened?.(dir, mode)
}

/**
 * chmod 0600 every regular file directly in `dir` (LevelDB's files are created 0644 & ~umask). A
 * file gone between the listing and its chmod is skipped: LevelDB, recovering after a crash,
 * compacts and deletes table files while the repo opens.
 */
export async function restrictFiles (dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    try {
      await fs.chmod(path.join(dir, entry.name), PRIVATE_FILE_MODE)
    } catch (err: any) {
      if (err?.code !== 'ENOENT') throw err
    }
  }
}

/** Write a file only its owner can read, 0600 from the first byte (no window with a looser mode). */
export async function writePrivateFile (file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'w', PRIVATE_FILE_MODE)
  try {
    await handle.chmod(PRIVATE_FILE_MODE) // an existing file keeps its mode on open; the umask may have narrowed a new one
    await handle.writeFile(data)
  } finally {
    await handle.close()
  }
}
