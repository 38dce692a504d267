/**
 * What this node has heard about who holds which model: from gossip
 * announcements and from asking peers, each entry a peer's statement about
 * itself. In memory; entries expire unless heard again (announcements repeat
 * while the provider runs).
 *
 * Bounded, because peers fill it: at most MODELS_INDEX_MAX_PER_PEER entries
 * per peer (more from one peer are ignored until some expire) and
 * MODELS_INDEX_MAX_ENTRIES in all (the entry heard longest ago goes first, so
 * a flood cannot keep out providers that keep announcing), and
 * MODELS_INDEX_MAX_PER_NAME per name (a new provider of a name pushes out the
 * one of that name heard longest ago: a fleet of hundreds holding one model
 * costs a few entries, not one per holder). A name whose last entry goes is
 * forgotten with it.
 */
import { MODELS_INDEX_MAX_ENTRIES, MODELS_INDEX_MAX_PER_NAME, MODELS_INDEX_MAX_PER_PEER } from '../constants.ts'
import type { NamedProvider as ModelProvider } from './types.ts'

interface Entry extends ModelProvider {
  name: string
  seen: number
}

export interface ProviderIndexInit {
  /** @default MODELS_INDEX_MAX_PER_PEER */
  maxPerPeer?: number
  /** @default MODELS_INDEX_MAX_ENTRIES */
  maxEntries?: number
  /** @default MODELS_INDEX_MAX_PER_NAME */
  maxPerName?: number
}

export class ProviderIndex {
  /** Every entry, oldest heard first (a refreshed entry moves to the end). */
  private readonly entries = new Map<string, Entry>()
  private readonly byName = new Map<string, Set<string>>()
  private readonly perPeer = new Map<string, number>()
  private readonly maxPerPeer: number
  private readonly maxEntries: number
  private readonly maxPerName: number

  constructor (private readonly ttlMs: number, init: ProviderIndexInit = {}) {
    this.maxPerPeer = init.maxPerPeer ?? MODELS_INDEX_MAX_PER_PEER
    this.maxEntries = init.maxEntries ?? MODELS_INDEX_MAX_ENTRIES
    this.maxPerName = init.maxPerName ?? MODELS_INDEX_MAX_PER_NAME
  }

  /** Entries held now (live or not yet swept). */
  get size (): number {
    return this.entries.size
  }

  /** Record that `provider` holds `name`; false when its peer is at its cap (the entry is not kept). */
  add (name: string, provider: ModelProvider, now = Date.now()): boolean {
    const key = `${name}\n${provider.peerId}@${provider.revision}`
    const entry = { ...provider, name, seen: now }
    if (this.entries.delete(key)) {
      this.entries.set(key, entry)
      return true
    }
    if ((this.perPeer.get(provider.peerId) ?? 0) >= this.maxPerPeer) {
      this.sweep(now)
      if ((this.perPeer.get(provider.peerId) ?? 0) >= this.maxPerPeer) return false
    }
    while (this.entries.size >= this.maxEntries) this.remove(this.entries.keys().next().value as string)
    const ofName = this.byName.get(name)
    while (ofName != null && ofName.size >= this.maxPerName) this.remove(this.oldestOf(ofName))
    this.entries.set(key, entry)
    this.perPeer.set(provider.peerId, (this.perPeer.get(provider.peerId) ?? 0) + 1)
    let keys = this.byName.get(name)
    if (keys == null) {
      keys = new Set()
      this.byName.set(name, keys)
    }
    keys.add(key)
    return true
  }

  /** Whether anyone is known (within the TTL) to hold `name`. */
  has (name: string, now = Date.now()): boolean {
    return this.get(name, undefined, now).length > 0
  }

  /** Providers of `name` (of `revision`, when given) heard within the TTL. */
  get (name: string, revision?: string, now = Date.now()): ModelProvider[] {
    const keys = this.byName.get(name)
    if (keys == null) return []
    const out: ModelProvider[] = []
    for (const key of [...keys]) {
      const entry = this.entries.get(key) as Entry
      if (now - entry.seen > this.ttlMs) {
        this.remove(key)
        continue
      }
      if (revision != null && entry.revision !== revision) continue
      const { name: _name, seen: _seen, ...provider } = entry
      out.push(provider)
    }
    return out
  }

  /** Providers of `name`@`revision` heard at `since` or later (announce suppression counts them). */
  heardSince (name: string, revision: string, since: number): number {
    let n = 0
    for (const key of this.byName.get(name) ?? []) {
      const entry = this.entries.get(key) as Entry
      if (entry.revision === revision && entry.seen >= since) n++
    }
    return n
  }

  /** Every live entry, with its model name. */
  all (now = Date.now()): Array<ModelProvider & { name: string }> {
    this.sweep(now)
    return [...this.entries.values()].map(({ seen: _seen, ...entry }) => entry)
  }

  /** Forget a peer (it went away for good, or lied). */
  removePeer (peerId: string): void {
    for (const [key, entry] of this.entries) if (entry.peerId === peerId) this.remove(key)
  }

  /** Drop expired entries; the oldest come first, so this stops at the first live one. */
  private sweep (now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.seen <= this.ttlMs) return
      this.remove(key)
    }
  }

  /** The key, among `keys`, of the entry heard longest ago. */
  private oldestOf (keys: Set<string>): string {
    let oldest: Entry | undefined
    let oldestKey = ''
    for (const key of keys) {
      const entry = this.entries.get(key) as Entry
      if (oldest == null || entry.seen < oldest.seen) {
        oldest = entry
        oldestKey = key
      }
    }
    return oldestKey
  }

  private remove (key: string): void {
    const entry = this.entries.get(key)
    if (entry == null) return
    this.entries.delete(key)
    const left = (this.perPeer.get(entry.peerId) ?? 1) - 1
    if (left === 0) this.perPeer.delete(entry.peerId)
    else this.perPeer.set(entry.peerId, left)
    const keys = this.byName.get(entry.name)
    keys?.delete(key)
    if (keys?.size === 0) this.byName.delete(entry.name)
  }
}
