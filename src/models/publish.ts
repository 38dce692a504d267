/**
 * Publishing a model directory: the shared named-content publish
 * (src/named/publish.ts) under the model kind — every file stored whole, a
 * signed manifest pinned, unchanged files not imported again.
 */
import { MODEL_KIND, publishNamed } from '../named/index.ts'
import type { NamedPublished, RecordIndex } from '../named/index.ts'
import type { PublishOptions } from './types.ts'
import type { FsBlockstore } from '../blocks/index.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { PublisherKey } from '../trust/index.ts'

export interface PublishComponents {
  storage: IPFSKitStorage
  blockstore: FsBlockstore
  index: RecordIndex
  /** Signs the manifest: name, revision, created and files. */
  publisher: PublisherKey
}

export async function publishModel (c: PublishComponents, dir: string, options: PublishOptions): Promise<NamedPublished> {
  return await publishNamed({ ...c, kind: MODEL_KIND }, dir, { name: options.name, revision: options.revision, signal: options.signal, onProgress: options.onProgress })
}
