/**
 * Access statistics per root: how often it is read here and how often peers
 * fetch it from us, as a counter that halves every `halfLife` (a root read
 * 100 times last month weighs less than one read 10 times this hour), and the
 * times of its last few reads (what auto-pin's "N reads within a window"
 * needs, exactly). Bounded: at most `maxRoots` roots, the one accessed least
 * recently dropped first (a Map kept in access order), and at most
 * `recentReads` times per root. Pure state: time comes from `now`.
 */

export interface RootAccess {
  cid: string
  /** Local reads (storage, CLI, gateway, RPC, pulls) since it was first tracked. */
  reads: number
  /** Fetches of it by peers (its root block served, see noteServed) since it was first tracked. */
  served: number
  /** Decayed count of local reads and served fetches (each halves every `halfLife`): the heat. */
  score: number
  /** Last local read or served fetch, ms since the epoch. */
  lastAccess: number
  /** Last local read, ms since the epoch (0 when only served). */
  lastRead: number
}

/** One root's state, as it is persisted. */
export interface StoredAccess {
  reads: number
  served: number
  /** The decayed score at `at`. */
  score: number
  at: number
  lastRead: number
  /** Times of the last local reads, oldest first, at most `recentReads`. */
  recent: number[]
}

export interface AccessStatsInit {
  /** Half-life of the decayed score, ms (`seeding.half_life`). */
  halfLifeMs: number
  /** Roots tracked at most (SEEDING_MAX_TRACKED_ROOTS). */
  maxRoots: number
  /** Read times kept per root (`seeding.auto_pin_reads`: what the window check needs). */
  recentReads: number
  now?(): number
}

export class AccessStats {
  private readonly roots = new Map<string, StoredAccess>()
  /** Roots changed (or dropped) since the last `takeDirty`. */
  private dirty = new Set<string>()
  private readonly now: () => number

  constructor (private readonly init: AccessStatsInit) {
    this.now = init.now ?? Date.now
  }

  get size (): number {
    return this.roots.size
  }

  /** Note one local read of `cid` (a root); returns how many of its kept reads fall within the last `windowMs`. */
  noteRead (cid: string, windowMs = Infinity): number {
    const now = this.now()
    const entry = this.touch(cid, now)
    entry.reads++
    entry.lastRead = now
    entry.recent.push(now)
    if (entry.recent.length > this.init.recentReads) entry.recent.splice(0, entry.recent.length - this.init.recentReads)
    return entry.recent.filter(t => now - t <= windowMs).length
  }

  /**
   * Note a block served to a peer, when it is a root we track: a peer fetching a file asks for
   * its root block first, so this counts fetches of tracked roots, in constant time.
   */
  noteServed (cid: string): boolean {
    if (!this.roots.has(cid)) return false
    const entry = this.touch(cid, this.now())
    entry.served++
    return true
  }

  /** True when it is tracked. */
  has (cid: string): boolean {
    return this.roots.has(cid)
  }

  /** Last local read of `cid`, or undefined when untracked or never read here. */
  lastRead (cid: string): number | undefined {
    const read = this.roots.get(cid)?.lastRead
    return read == null || read === 0 ? undefined : read
  }

  /** One root's figures now, or undefined. */
  get (cid: string): RootAccess | undefined {
    const entry = this.roots.get(cid)
    return entry == null ? undefined : this.figures(cid, entry, this.now())
  }

  /** Every tracked root, hottest first. */
  list (): RootAccess[] {
    const now = this.now()
    return [...this.roots].map(([cid, entry]) => this.figures(cid, entry, now)).sort((a, b) => b.score - a.score || a.cid.localeCompare(b.cid))
  }

  /** Load a persisted entry (at start), within the bounds; entries after the bound are dropped. */
  restore (cid: string, stored: StoredAccess): boolean {
    if (this.roots.size >= this.init.maxRoots) return false
    const recent = Array.isArray(stored.recent) ? stored.recent.filter(t => Number.isFinite(t)).slice(-this.init.recentReads) : []
    this.roots.set(cid, { reads: finite(stored.reads), served: finite(stored.served), score: finite(stored.score), at: finite(stored.at), lastRead: finite(stored.lastRead), recent })
    return true
  }

  /** Roots changed since the last call, with their state (undefined: dropped). */
  takeDirty (): Array<[string, StoredAccess | undefined]> {
    const out = [...this.dirty].map((cid): [string, StoredAccess | undefined] => [cid, this.roots.get(cid)])
    this.dirty = new Set()
    return out
  }

  private touch (cid: string, now: number): StoredAccess {
    let entry = this.roots.get(cid)
    if (entry == null) {
      entry = { reads: 0, served: 0, score: 0, at: now, lastRead: 0, recent: [] }
    } else {
      this.roots.delete(cid) // re-inserted last: the Map stays in access order
    }
    entry.score = this.decayed(entry, now) + 1
    entry.at = now
    this.roots.set(cid, entry)
    this.dirty.add(cid)
    while (this.roots.size > this.init.maxRoots) {
      const oldest = this.roots.keys().next().value as string
      this.roots.delete(oldest)
      this.dirty.add(oldest)
    }
    return entry
  }

  private decayed (entry: StoredAccess, now: number): number {
    return entry.score * Math.pow(0.5, Math.max(0, now - entry.at) / this.init.halfLifeMs)
  }

  private figures (cid: string, entry: StoredAccess, now: number): RootAccess {
    return { cid, reads: entry.reads, served: entry.served, score: this.decayed(entry, now), lastAccess: entry.at, lastRead: entry.lastRead }
  }
}

function finite (n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0
}
