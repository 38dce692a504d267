/**
 * The tiers from the config: the hot cache (`performance.memory_cache_size`),
 * the cold store when `backends.s3.enabled` (its index rebuilt from the
 * bucket, which is also the start's credentials check), attached to the warm
 * store so every reader gets hot → warm → cold.
 */
import { ColdStore, HotCache, PackIndex, S3Objects } from '../blocks/index.ts'
import { TierPolicy } from './tiers.ts'
import type { FsBlockstore, KeyValueStore } from '../blocks/index.ts'
import type { KitConfig } from '../config/index.ts'
import type { FileIndex } from './file-index.ts'
import type { CID } from 'multiformats/cid'

export interface OpenTiersInit {
  blockstore: FsBlockstore
  /** The repo's metadata store (the cold tier's local index lives there). */
  meta: KeyValueStore
  settings: Pick<KitConfig['ipfs_kit'], 'backends' | 'storage_policy' | 'performance'>
  files: FileIndex
  /** Told when the bucket cannot be read at start (the node starts anyway: warm content is served). @default process.emitWarning */
  onColdUnavailable?(err: Error): void
  /** Told of each block from the bucket that failed its hash. */
  onCorrupt?(cid: CID, pack: string): void
}

export interface OpenedTiers {
  policy: TierPolicy
  close(): void
}

export async function openTiers (init: OpenTiersInit): Promise<OpenedTiers> {
  const { backends, storage_policy: policy, performance } = init.settings
  const hot = new HotCache(performance.memory_cache_size)
  let cold: ColdStore | undefined
  const s3 = backends.s3
  if (s3.enabled) {
    cold = new ColdStore({
      objects: new S3Objects({
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.endpoint,
        accessKeyId: s3.access_key_id,
        secretAccessKey: s3.secret_access_key,
        forcePathStyle: s3.force_path_style
      }),
      index: new PackIndex(init.meta),
      prefix: s3.prefix,
      packSize: s3.pack_size,
      spoolDir: init.blockstore.path,
      onCorrupt: init.onCorrupt
    })
    const { error } = await cold.open()
    if (error != null) (init.onColdUnavailable ?? warnColdUnavailable)(error)
  }
  init.blockstore.attachTiers({ hot, cold })
  return {
    policy: new TierPolicy({
      blockstore: init.blockstore,
      hot,
      cold,
      files: init.files,
      autoTier: policy.auto_tier,
      demoteAfterMs: policy.demote_after,
      promoteReads: policy.promote_reads
    }),
    close: () => {
      init.blockstore.attachTiers({})
      cold?.close()
    }
  }
}

function warnColdUnavailable (err: Error): void {
  process.emitWarning(`ipfs-kit: the cold tier cannot be used: ${err.message}`, { code: 'IPFS_KIT_COLD_TIER' })
}
