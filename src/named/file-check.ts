/**
 * Checking a manifest's files against their DAGs before any leaf is fetched:
 * each file's UnixFS root must declare exactly the size the manifest gives.
 * A manifest is small, but the DAG it names can describe far more bytes than
 * it says (a "bomb": one leaf linked a million times describes a gigabyte
 * from a few kilobytes); a pull that trusted the DAG would fetch, read and
 * write all of it before the final size and sha256 check. The roots of every
 * file are checked first, so a bad file fails the pull before any file is
 * written; the rest of each DAG is checked as prefetchFile walks it.
 */
import { checkRootSize } from '../transfer/index.ts'
import type { ManifestFile } from './manifest.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'

/**
 * @returns the paths of files whose root no provider sent (NotFoundError): the pull reports them incomplete
 * @throws ManifestMismatchError for the first file whose root does not declare the manifest's size
 */
export async function checkManifestFiles (source: BlockSource, files: readonly ManifestFile[], options: AbortOptions = {}): Promise<string[]> {
  const missing: string[] = []
  for (const file of files) {
    let bytes: Uint8Array
    try {
      bytes = await source.getBytes(file.cid, options)
    } catch (err: any) {
      options.signal?.throwIfAborted()
      if (err.name !== 'NotFoundError') throw err
      missing.push(file.path)
      continue
    }
    checkRootSize(file.cid, bytes, file.size, file.path)
  }
  return missing
}
