/**
 * Pulling a model by name: the shared named-content pull (src/named/pull.ts:
 * candidates, verified multi-peer fetch into `dest`, holds, the root pinned,
 * announced) of every file, then the Hugging Face cache layout when asked.
 */
import { MODEL_KIND, pullNamed } from '../named/index.ts'
import { readFile } from '../unixfs/index.ts'
import { hfCacheDir, materializeHfCache } from './hf-cache.ts'
import type { NamedPullComponents } from '../named/index.ts'
import type { PullOptions, PullResult } from './types.ts'

export type PullComponents = Omit<NamedPullComponents, 'kind'> & { env?: NodeJS.ProcessEnv }

export async function pullModel (c: PullComponents, name: string, options: PullOptions = {}): Promise<PullResult> {
  const pulled = await pullNamed({ ...c, kind: MODEL_KIND }, name, options)
  const root = pulled.root.toString()
  let hfSnapshot: string | undefined
  if (options.hfCache != null && options.hfCache !== false) {
    const dir = typeof options.hfCache === 'string' ? options.hfCache : hfCacheDir(c.env)
    hfSnapshot = await materializeHfCache(dir, pulled.manifest, root, file => readFile(c.local, file.cid, options))
  }
  return { name, revision: pulled.revision, root, files: pulled.files.length, bytes: pulled.bytes, fetchedBytes: pulled.fetchedBytes, providers: pulled.providers, dest: options.dest, hfSnapshot }
}
