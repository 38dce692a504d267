/**
 * `PullTracker`: the pulls in progress (models; datasets and any other kind
 * register the same way), with their latest progress and the bytes each
 * provider served them, for the status page and the
 * `ipfs_kit_model_pulls_active` gauge.
 */
import { PULL_PROVIDERS_SHOWN } from '../constants.ts'
import type { PullProgressEvents } from '../models/index.ts'

/** What is being pulled: `model` today; `dataset` pulls slot in through `begin({ kind: 'dataset' })`. */
export type PullKind = 'model' | 'dataset'

export interface PullProvider {
  peer: string
  /** Bytes of verified blocks this provider sent for this pull (our transfer protocol; bitswap does not say who sent a block). */
  bytes: number
}

export interface ActivePull {
  kind: PullKind
  name: string
  revision?: string
  /** ms since the epoch */
  started: number
  bytesDone: number
  bytesTotal: number
  /** Bytes per second since the pull started (the pull's own figure). */
  rate: number
  /** Seconds left at `rate`; null while the size or the rate is unknown. */
  etaSeconds: number | null
  /** Providers connected and used. */
  peers: number
  /** Providers that sent blocks, most bytes first (at most PULL_PROVIDERS_SHOWN). */
  providers: PullProvider[]
  /** The file being fetched last. */
  file?: string
}

/** The progress a pull reports (the fields of `models:pull:progress`). */
export interface TrackedProgress {
  bytesDone?: number
  bytesTotal?: number
  rate?: number
  peers?: number
  file?: string
}

export interface TrackedPull {
  /** The pull's latest figures. */
  update(progress: TrackedProgress): void
  /** A provider sent `bytes` of verified blocks for this pull. */
  served(peer: string, bytes: number): void
  end(): void
}

interface Entry {
  pull: Omit<ActivePull, 'etaSeconds' | 'providers'>
  providers: Map<string, number>
}

export class PullTracker {
  private readonly active = new Map<number, Entry>()
  private nextId = 0

  /** Register a pull of any kind; returns what updates it and ends it. */
  track (kind: PullKind, name: string, revision?: string): TrackedPull {
    const id = this.nextId++
    const entry: Entry = { pull: { kind, name, revision, started: Date.now(), bytesDone: 0, bytesTotal: 0, rate: 0, peers: 0 }, providers: new Map() }
    this.active.set(id, entry)
    return {
      update: progress => {
        for (const [key, value] of Object.entries(progress)) if (value != null) (entry.pull as any)[key] = value
      },
      served: (peer, bytes) => {
        // bounded by the peers connected to us: a provider is a peer whose blocks verified
        entry.providers.set(peer, (entry.providers.get(peer) ?? 0) + bytes)
      },
      end: () => { this.active.delete(id) }
    }
  }

  /**
   * Register a pull of a model or a dataset (their progress events are `models:pull:*` and
   * `datasets:pull:*`, same shapes); returns its progress handler and the function that ends it.
   */
  begin (name: string, revision?: string, kind: PullKind = 'model'): { onProgress(event: PullProgressEvents): void, served(peer: string, bytes: number): void, end(): void } {
    const tracked = this.track(kind, name, revision)
    const prefix = kind === 'model' ? 'models' : 'datasets'
    return {
      onProgress: (event: any) => {
        if (event.type === `${prefix}:pull:manifest`) tracked.update({ bytesTotal: event.detail.bytesTotal })
        else if (event.type === `${prefix}:pull:progress`) tracked.update(event.detail)
        else if (event.type === `${prefix}:pull:file`) tracked.update({ file: event.detail.path })
      },
      served: tracked.served,
      end: tracked.end
    }
  }

  /** The pulls in progress, oldest first (copies). */
  list (): ActivePull[] {
    return [...this.active.values()].map(({ pull, providers }) => ({
      ...pull,
      etaSeconds: pull.bytesTotal > 0 && pull.rate > 0 ? Math.max(0, (pull.bytesTotal - pull.bytesDone) / pull.rate) : null,
      providers: [...providers].map(([peer, bytes]) => ({ peer, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, PULL_PROVIDERS_SHOWN)
    }))
  }

  get size (): number {
    return this.active.size
  }
}
