/**
 * Before a pull writes anything to `dest`: every file it would replace must be
 * one this model wrote before, i.e. already hold the manifest's bytes (a
 * re-pull); anything else — a user's file, a symlink, a directory, or a
 * symlink or file where the path needs a directory — is refused with
 * DestinationExistsError, unless the caller passes `force`. Checked for all
 * files first, so a refused pull leaves `dest` untouched.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { DestinationExistsError } from '../errors.ts'
import type { ManifestFile } from './manifest.ts'
import type { AbortOptions } from '@libp2p/interface'

/**
 * @throws DestinationExistsError naming the first path in the way
 * @example
 * await assertDestinationFree('/srv/models/llama', manifest.files, { signal })
 */
export async function assertDestinationFree (dest: string, files: readonly ManifestFile[], options: AbortOptions = {}): Promise<void> {
  const checkedDirs = new Set<string>()
  for (const file of files) {
    options.signal?.throwIfAborted()
    const segments = file.path.split('/')
    let dir = dest
    for (const segment of segments.slice(0, -1)) {
      dir = path.join(dir, segment)
      if (checkedDirs.has(dir)) continue
      const stat = await lstatOrUndefined(dir)
      if (stat == null) break // created by the pull, with everything under it
      if (!stat.isDirectory()) throw new DestinationExistsError(dir, stat.isSymbolicLink() ? 'a symbolic link where the model has a directory' : 'a file where the model has a directory')
      checkedDirs.add(dir)
    }
    const target = path.join(dest, ...segments)
    const stat = await lstatOrUndefined(target)
    if (stat == null) continue
    if (!stat.isFile()) throw new DestinationExistsError(target, stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file')
    if (stat.size !== file.size || await sha256Of(target, options) !== file.sha256) {
      throw new DestinationExistsError(target, `its content is not this model's ${file.path}`)
    }
  }
}

async function lstatOrUndefined (p: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.lstat(p)
  } catch (err: any) {
    if (err.code === 'ENOENT') return undefined
    throw err
  }
}

async function sha256Of (file: string, options: AbortOptions): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { signal: options.signal })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
