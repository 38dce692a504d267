/**
 * The Hugging Face hub cache layout, so that transformers / huggingface_hub
 * load a pulled model with no network (HF_HUB_OFFLINE=1):
 *
 *   <cache>/models--<org>--<name>/blobs/<sha256 of the file>
 *   <cache>/models--<org>--<name>/snapshots/<commit>/<path> → ../../blobs/<sha256> (relative symlink)
 *   <cache>/models--<org>--<name>/refs/<revision>            containing <commit>
 *
 * The hub names snapshots by git commit; a model from ipfs-kit has no commit,
 * so <commit> is the first 40 hex digits of sha256(manifest CID): stable for
 * the same manifest, shaped like a commit id, and what refs/<revision> names,
 * which is how huggingface_hub resolves a revision offline.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import type { Manifest } from '../named/index.ts'

/** `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (huggingface_hub's own order). */
export function hfCacheDir (env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE != null && env.HF_HUB_CACHE !== '') return path.resolve(env.HF_HUB_CACHE)
  if (env.HF_HOME != null && env.HF_HOME !== '') return path.resolve(env.HF_HOME, 'hub')
  return path.join(homedir(), '.cache', 'huggingface', 'hub')
}

/** The commit id ipfs-kit gives a manifest in the Hugging Face cache. */
export function snapshotCommit (root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 40)
}

/** `models--org--name`. */
export function repoFolder (name: string): string {
  return `models--${name.replace('/', '--')}`
}

/**
 * Write the model into the cache: each blob once (streamed from `open`),
 * snapshot links, the ref. Returns the snapshot directory.
 */
export async function materializeHfCache (cacheDir: string, manifest: Manifest, root: string, open: (file: Manifest['files'][number]) => AsyncIterable<Uint8Array>): Promise<string> {
  const repo = path.join(cacheDir, repoFolder(manifest.name))
  const commit = snapshotCommit(root)
  const snapshot = path.join(repo, 'snapshots', commit)
  await fs.mkdir(path.join(repo, 'blobs'), { recursive: true })
  for (const file of manifest.files) {
    const blob = path.join(repo, 'blobs', file.sha256)
    const existing = await fs.stat(blob).catch(() => undefined)
    if (existing?.size !== file.size) {
      const part = `${blob}.incomplete`
      await pipeline(Readable.from(open(file)), createWriteStream(part))
      await fs.rename(part, blob)
    }
    const link = path.join(snapshot, ...file.path.split('/'))
    await fs.mkdir(path.dirname(link), { recursive: true })
    await fs.rm(link, { force: true })
    await fs.symlink(path.relative(path.dirname(link), blob), link)
  }
  await fs.mkdir(path.join(repo, 'refs'), { recursive: true })
  await fs.writeFile(path.join(repo, 'refs', manifest.revision), commit)
  return snapshot
}
