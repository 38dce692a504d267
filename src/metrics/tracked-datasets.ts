/**
 * `TrackedDatasets`: `kit.datasets` with its pulls registered in the
 * PullTracker while they run (progress, and the bytes each provider served
 * the pull), so the status page shows dataset pulls beside model pulls.
 * Provider attribution as for models: see tracking-fetcher.ts.
 */
import { Datasets } from '../datasets/index.ts'
import { trackingFetcher } from './tracking-fetcher.ts'
import type { PullTracker } from './pull-tracker.ts'
import type { Served } from './tracking-fetcher.ts'
import type { DatasetPullOptions, DatasetPullResult, DatasetsComponents } from '../datasets/index.ts'

export class TrackedDatasets extends Datasets {
  private readonly pulls: PullTracker
  private readonly servedBy: WeakMap<object, Served>

  constructor (components: DatasetsComponents, pulls: PullTracker) {
    const servedBy = new WeakMap<object, Served>()
    super({ ...components, fetcher: trackingFetcher(components.fetcher, servedBy) })
    this.pulls = pulls
    this.servedBy = servedBy
  }

  override async pull (name: string, options: DatasetPullOptions): Promise<DatasetPullResult> {
    const tracked = this.pulls.begin(name, options.revision, 'dataset')
    const onProgress = (event: any): void => {
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
}
