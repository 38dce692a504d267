/**
 * `PullTracker`: the model pulls in progress, with their latest progress, for
 * the status page and the `ipfs_kit_model_pulls_active` gauge.
 */
import type { PullProgressEvents } from '../models/index.ts'

export interface ActivePull {
  name: string
  revision?: string
  /** ms since the epoch */
  started: number
  bytesDone: number
  bytesTotal: number
  /** Bytes per second since the pull started (the pull's own figure). */
  rate: number
  /** Providers connected and used. */
  peers: number
  /** The file being fetched last. */
  file?: string
}

export class PullTracker {
  private readonly active = new Map<number, ActivePull>()
  private nextId = 0

  /** Register a pull; returns its progress handler and the function that ends it. */
  begin (name: string, revision?: string): { onProgress(event: PullProgressEvents): void, end(): void } {
    const id = this.nextId++
    const pull: ActivePull = { name, revision, started: Date.now(), bytesDone: 0, bytesTotal: 0, rate: 0, peers: 0 }
    this.active.set(id, pull)
    return {
      onProgress: event => {
        if (event.type === 'models:pull:manifest') pull.bytesTotal = event.detail.bytesTotal
        else if (event.type === 'models:pull:progress') Object.assign(pull, event.detail)
        else if (event.type === 'models:pull:file') pull.file = event.detail.path
      },
      end: () => { this.active.delete(id) }
    }
  }

  /** The pulls in progress, oldest first (copies). */
  list (): ActivePull[] {
    return [...this.active.values()].map(pull => ({ ...pull }))
  }

  get size (): number {
    return this.active.size
  }
}
