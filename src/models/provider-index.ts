/**
 * What this node has heard about who holds which model: from gossip
 * announcements and from asking peers. In memory; entries expire unless
 * heard again (announcements repeat while the provider runs).
 */
import type { ModelProvider } from './types.ts'

interface Entry extends ModelProvider {
  name: string
  seen: number
}

export class ProviderIndex {
  private readonly byName = new Map<string, Map<string, Entry>>()

  constructor (private readonly ttlMs: number) {}

  add (name: string, provider: ModelProvider, now = Date.now()): void {
    let peers = this.byName.get(name)
    if (peers == null) {
      peers = new Map()
      this.byName.set(name, peers)
    }
    peers.set(`${provider.peerId}@${provider.revision}`, { ...provider, name, seen: now })
  }

  /** Providers of `name` (of `revision`, when given) heard within the TTL. */
  get (name: string, revision?: string, now = Date.now()): ModelProvider[] {
    const peers = this.byName.get(name)
    if (peers == null) return []
    const out: ModelProvider[] = []
    for (const [key, entry] of peers) {
      if (now - entry.seen > this.ttlMs) {
        peers.delete(key)
        continue
      }
      if (revision != null && entry.revision !== revision) continue
      const { name: _name, seen: _seen, ...provider } = entry
      out.push(provider)
    }
    return out
  }

  /** Every live entry, with its model name. */
  all (now = Date.now()): Array<ModelProvider & { name: string }> {
    const out: Array<ModelProvider & { name: string }> = []
    for (const name of this.byName.keys()) for (const provider of this.get(name, undefined, now)) out.push({ ...provider, name })
    return out
  }

  /** Forget a peer (it went away for good, or lied). */
  removePeer (peerId: string): void {
    for (const peers of this.byName.values()) {
      for (const [key, entry] of peers) if (entry.peerId === peerId) peers.delete(key)
    }
  }
}
