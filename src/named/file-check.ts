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
import { MODEL_PULL_FILE_CONCURRENCY } from '../constants.ts'
import { checkRootSize } from '../transfer/index.ts'

/** Roots checked at once: twice the files fetched at once. */
const ROOT_CHECK_CONCURRENCY = 2 * MODEL_PULL_FILE_CONCURRENCY
import type { ManifestFile } from './manifest.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions } from '@libp2p/interface'

/**
 * @returns the paths of files whose root no provider sent (NotFoundError): the pull reports them incomplete
 * @throws ManifestMismatchError for the first file whose root does not declare the manifest's size
 */
export async function checkManifestFiles (source: BlockSource, files: readonly ManifestFile[], options: AbortOptions = {}): Promise<string[]> {
  // roots fetched several at once (a dataset has many small files: one round trip each in a row was
  // seconds before the first byte); a mismatch is still reported for the first file in manifest order
  const outcome: Array<'missing' | Error | undefined> = new Array(files.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i] as ManifestFile
      try {
        checkRootSize(file.cid, await source.getBytes(file.cid, options), file.size, file.path)
      } catch (err: any) {
        options.signal?.throwIfAborted()
        outcome[i] = err.name === 'NotFoundError' ? 'missing' : err
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(ROOT_CHECK_CONCURRENCY, files.length) }, worker))
  const failed = outcome.find((o): o is Error => o instanceof Error)
  if (failed != null) throw failed
  return files.filter((_, i) => outcome[i] === 'missing').map(f => f.path)
}
