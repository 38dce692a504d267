/**
 * `TrackedModels`: `kit.models` with its pulls registered in a PullTracker
 * while they run (progress, and the bytes each provider served the pull), so
 * the status page can show them with live rates; and the bytes the models
 * held here name, for the status page's repo section.
 * Which pull a fetched block belongs to: see tracking-fetcher.ts.
 */
import { CID } from 'multiformats/cid'
import { decodeModelRecord, Models } from '../models/index.ts'
import { trackingFetcher } from './tracking-fetcher.ts'
import type { PullTracker } from './pull-tracker.ts'
import type { Served } from './tracking-fetcher.ts'
import type { LocalModel, ModelsComponents, PullOptions, PullProgressEvents, PullResult } from '../models/index.ts'

export class TrackedModels extends Models {
  private readonly pulls: PullTracker
  private readonly servedBy: WeakMap<object, Served>
  private readonly local: ModelsComponents['local']
  /** Bytes named by each manifest root seen (a manifest never changes; pruned to the models held). */
  private readonly sizes = new Map<string, number>()

  constructor (components: ModelsComponents, pulls: PullTracker) {
    const servedBy = new WeakMap<object, Served>()
    super({ ...components, fetcher: trackingFetcher(components.fetcher, servedBy) })
    this.pulls = pulls
    this.servedBy = servedBy
    this.local = components.local
  }

  override async pull (name: string, options: PullOptions = {}): Promise<PullResult> {
    const tracked = this.pulls.begin(name, options.revision)
    const onProgress = (event: PullProgressEvents): void => {
      tracked.onProgress(event)
      options.onProgress?.(event)
    }
    this.servedBy.set(onProgress, tracked.served)
    try {
      return await super.pull(name, { ...options, onProgress })
    } finally {
      tracked.end()
    }
  }

  /**
   * Bytes of the files the given models name (their manifests' sizes, read from the local
   * manifest blocks once per root); a model sharing files with another counts them again.
   */
  async heldBytes (models: LocalModel[]): Promise<number> {
    const roots = new Set(models.filter(m => m.origin !== 'yanked').map(m => m.root))
    for (const root of this.sizes.keys()) if (!roots.has(root)) this.sizes.delete(root)
    let total = 0
    for (const root of roots) {
      let size = this.sizes.get(root)
      if (size == null) {
        size = await this.manifestBytes(root)
        if (size != null) this.sizes.set(root, size)
      }
      total += size ?? 0
    }
    return total
  }

  private async manifestBytes (root: string): Promise<number | undefined> {
    try {
      const record = await decodeModelRecord(await this.local.getBytes(CID.parse(root)))
      return record.kind === 'manifest' ? record.manifest.files.reduce((n, f) => n + f.size, 0) : 0
    } catch {
      // not local (yet): counted as nothing this time rather than failing the status
      return undefined
    }
  }
}
