/**
 * libp2p reads its peer store far more often than anything in it changes: it
 * merges the protocol into the remote peer's record on every stream opened or
 * accepted, and the DHT reads the record of each of the 20 peers it names in
 * every answer. Each call takes a lock (a new one per call), decodes the
 * record's protobuf and builds its multiaddr objects, and a merge encodes and
 * writes it back (peer-record-cache.ts keeps that write off the disk). In a
 * meshed fleet that was a fifth of an idle node's CPU (docs/DESIGN.md, "What
 * a node costs at rest").
 *
 * This puts a cache of decoded peers in front of the store's own methods, on
 * the store object itself, so libp2p's components, which hold that object,
 * use it too:
 * - `get`/`getInfo`/`has` answer from a peer the store returned within
 *   `ttlMs` (each write through the store refreshes it);
 * - a merge that only adds protocols the cached peer already has is answered
 *   from the cache without writing (it would only have moved the record's
 *   `updated` time; one such merge per `ttlMs` still goes through, so a peer
 *   in use never looks stale to the store's expiry);
 * - every other write goes to the store, and a read that started before a
 *   write never caches what it read.
 */
import type { PeerStore, Peer, PeerId, PeerData, AbortOptions } from '@libp2p/interface'

export interface PeerStoreCacheInit {
  /** How long a peer the store returned answers reads. */
  ttlMs: number
  /** Most peers cached (least recently used dropped first). */
  maxPeers: number
}

interface Entry { peer: Peer, at: number, protocols: Set<string> }

/** Is this merge only about protocols? */
const onlyProtocols = (data: PeerData): data is PeerData & { protocols: string[] } =>
  data.protocols != null && Object.keys(data).every(k => k === 'protocols' || (data as any)[k] == null)

/** Wrap `store`'s methods in place; `hits()` counts what was answered from the cache (for tests). */
export function cachePeerStore (store: PeerStore, init: PeerStoreCacheInit): { hits(): number } {
  const entries = new Map<string, Entry>()
  /** When each peer was last written (a running count; bounded as `entries`): a read that a write overtook does not cache. */
  let seq = 0
  const lastWrite = new Map<string, number>()
  const written = (key: string): void => {
    lastWrite.delete(key)
    lastWrite.set(key, ++seq)
    if (lastWrite.size > init.maxPeers) lastWrite.delete(lastWrite.keys().next().value as string)
  }
  let hits = 0
  const original = {
    get: store.get.bind(store),
    has: store.has.bind(store),
    save: store.save.bind(store),
    patch: store.patch.bind(store),
    merge: store.merge.bind(store),
    delete: store.delete.bind(store)
  }

  const fresh = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry == null) return undefined
    if (Date.now() - entry.at >= init.ttlMs) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  const remember = (key: string, peer: Peer): void => {
    entries.delete(key)
    entries.set(key, { peer, at: Date.now(), protocols: new Set(peer.protocols) })
    if (entries.size > init.maxPeers) entries.delete(entries.keys().next().value as string)
  }
  const write = (method: 'save' | 'patch' | 'merge') => async (id: PeerId, data: PeerData, options?: AbortOptions): Promise<Peer> => {
    const key = id.toString()
    if (method === 'merge' && onlyProtocols(data)) {
      const entry = fresh(key)
      if (entry != null && data.protocols.every(p => entry.protocols.has(p))) {
        hits++
        return entry.peer
      }
    }
    entries.delete(key)
    written(key)
    const peer = await original[method](id, data, options)
    remember(key, peer)
    return peer
  }

  store.get = async (id: PeerId, options?: AbortOptions): Promise<Peer> => {
    const key = id.toString()
    const entry = fresh(key)
    if (entry != null) {
      hits++
      return entry.peer
    }
    const started = seq
    const peer = await original.get(id, options)
    if ((lastWrite.get(key) ?? 0) <= started) remember(key, peer)
    return peer
  }
  store.has = async (id: PeerId, options?: AbortOptions): Promise<boolean> => {
    if (fresh(id.toString()) != null) {
      hits++
      return true
    }
    return await original.has(id, options)
  }
  store.save = write('save')
  store.patch = write('patch')
  store.merge = write('merge')
  store.delete = async (id: PeerId, options?: AbortOptions): Promise<void> => {
    const key = id.toString()
    entries.delete(key)
    written(key)
    await original.delete(id, options)
  }
  return { hits: () => hits }
}
