/**
 * `TrackedModels`: `kit.models` with its pulls registered in a PullTracker
 * while they run, so the status page can show them with live rates.
 */
import { Models } from '../models/index.ts'
import type { PullTracker } from './pull-tracker.ts'
import type { ModelsComponents, PullOptions, PullProgressEvents, PullResult } from '../models/index.ts'

export class TrackedModels extends Models {
  constructor (components: ModelsComponents, private readonly pulls: PullTracker) {
    super(components)
  }

  override async pull (name: string, options: PullOptions = {}): Promise<PullResult> {
    const tracked = this.pulls.begin(name, options.revision)
    try {
      return await super.pull(name, {
        ...options,
        onProgress: (event: PullProgressEvents) => {
          tracked.onProgress(event)
          options.onProgress?.(event)
        }
      })
    } finally {
      tracked.end()
    }
  }
}
