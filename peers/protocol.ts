/**
 * The line protocol between the cluster harness and a peer process: one JSON
 * object per line. The peer prints `ready` (or `error`) once, then answers
 * each request `{ id, op, ...args }` with `{ id, result }` or `{ id, error }`.
 */

export interface ReadyMessage {
  event: 'ready'
  peerId: string
  addresses: string[]
  dataDir: string
  pid: number
}

export interface StartErrorMessage {
  event: 'error'
  error: ErrorShape
}

export interface ErrorShape {
  name: string
  code?: string
  message: string
}

export interface Operations {
  /** Store a file from disk; the CID. */
  store: { args: { path: string, filename?: string, pin?: boolean }, result: string }
  /** Stream content into a file; its size and sha256 (hex). */
  retrieveToFile: { args: { cid: string, path: string }, result: { bytes: number, sha256: string } }
  /** Pin a DAG (fetching from peers when online). */
  pin: { args: { cid: string }, result: boolean }
  /** Collect garbage. */
  gc: { args: Record<string, never>, result: { removedBlocks: number, freedBytes: number } }
  /** Publish a model directory. */
  modelPublish: { args: { dir: string, name: string, revision?: string }, result: { root: string, files: number, bytes: number } }
  /** Pull a model (into `dest` when given). */
  modelPull: { args: { name: string, revision?: string, dest?: string, blockTimeoutMs?: number, findTimeoutMs?: number, manifestTimeoutMs?: number, progress?: boolean }, result: { root: string, files: number, bytes: number, fetchedBytes: number, providers: string[] } }
  /** Publish a dataset directory. */
  datasetPublish: { args: { dir: string, name: string, revision?: string, shardSize?: number }, result: { root: string, shards: number, bytes: number } }
  /** Pull a dataset share (rank/world or group) into `dest` when given. */
  datasetPull: { args: { name: string, rank?: number, world?: number, group?: string, memberGraceMs?: number, dest?: string, blockTimeoutMs?: number, findTimeoutMs?: number, manifestTimeoutMs?: number, progress?: boolean }, result: { root: string, shards: string[], bytes: number, fetchedBytes: number, providers: string[], members?: string[] } }
  /** Milliseconds from opening a stream of a rank's share to its first item. */
  datasetFirstItem: { args: { name: string, rank: number, world: number, manifestTimeoutMs?: number }, result: { ms: number, path: string } }
  /** The plan of a rank. */
  datasetPlan: { args: { name: string, rank: number, world: number }, result: { root: string, shards: Array<{ path: string, size: number, cid: string }>, bytes: number } }
  /** Every provider found within `timeoutMs`, with what the record at its root says. */
  modelProviders: { args: { name: string, revision?: string, timeoutMs?: number, sources?: Array<'gossip' | 'peers' | 'dht'> }, result: Array<{ peerId: string, root: string, via: string, publisher?: string, trusted?: boolean, yanked?: boolean, error?: string }> }
  /** This peer's publisher id. */
  publisher: { args: Record<string, never>, result: string }
  /** Trust a publisher for an org (recorded). */
  modelTrust: { args: { org: string, publisher: string }, result: string[] }
  /** Withdraw a revision with a signed tombstone. */
  modelYank: { args: { name: string, revision?: string }, result: { root: string } }
  /** From now on answer the models protocol with these entries: `resolve` names them as this peer's own models and as referrals, `index` lists them (a forging peer, for tests). */
  forgeModels: { args: { models: Array<{ name: string, revision: string, root: string }>, entries: Array<{ name: string, peerId: string, addresses: string[], revision: string, root: string }> }, result: true }
  /** Milliseconds until the first provider was found (null when none within `timeoutMs`). */
  modelFirstProvider: { args: { name: string, timeoutMs?: number, sources?: Array<'gossip' | 'peers' | 'dht'> }, result: { ms: number | null, via: string | null } }
  /** Milliseconds until the routing layer (the DHT) names a provider of `cid` other than this peer (null when none within `timeoutMs`). */
  cidFirstProvider: { args: { cid: string, timeoutMs?: number }, result: { ms: number | null } }
  /** From now on answer our transfer protocol with wrong bytes (a lying provider, for tests). */
  lie: { args: Record<string, never>, result: true }
  /** Bytes this peer has sent over the transfer protocol since it started: the `/ipfs-kit/transfer/1.1.0 sent` and `/1.0.0 sent` series of `libp2p_data_transfer_bytes_total` that /metrics serves. */
  transferSent: { args: Record<string, never>, result: number }
  /** Transfer requests this peer is serving now, per requesting peer id. */
  transferActive: { args: Record<string, never>, result: Record<string, number> }
  /** Peers the transfer server throttled (they kept reopening refused streams). */
  transferThrottled: { args: Record<string, never>, result: number }
  /** The blocks (CIDs) `peer` announced to this peer over have streams (transfer 1.1.0), as this peer remembers them. */
  transferAnnounced: { args: { peer: string }, result: string[] }
  /** Resident set size of the peer process now and at its peak, in bytes, and the CPU time it used so far. */
  rss: { args: Record<string, never>, result: { peak: number, now: number, cpuMs: number } }
  /** The JS heap in use right after a full garbage collection, in bytes: what the process retains. */
  heap: { args: Record<string, never>, result: number }
  /** Put a cache entry (a UTF-8 value); its CID. */
  cachePut: { args: { key: string, value: string, ttlMs?: number }, result: string }
  /** Get a cache entry (here, else from peers); the UTF-8 value or null. */
  cacheGet: { args: { key: string, timeoutMs?: number }, result: string | null }
  /** The cache's stats(). */
  cacheStats: { args: Record<string, never>, result: { entries: number, bytes: number, hits: number, misses: number, remoteHits: number, evictions: number, expirations: number } }
  /** The cache's live entries. */
  cacheList: { args: Record<string, never>, result: Array<{ key: string, cid: string, size: number, expires: number | null }> }
  /** Remove expired entries now; how many. */
  cacheSweep: { args: Record<string, never>, result: number }
  /** Peers the cache ignores for lying. */
  cacheIgnored: { args: Record<string, never>, result: string[] }
  /** From now on answer the cache protocol for every key with an entry signed by this peer for `cid` and then altered to name `forgedCid` (a forging peer, for tests). */
  cacheForge: { args: { cid: string, size: number, forgedCid: string, inline?: boolean }, result: true }
  cacheSharing: { args: Record<string, never>, result: { asksSent: number, asksServed: number, digestsAnnounced: number, hints: number, ignoredPeers: string[] } }
  /** Have `peers` members pull a model now. */
  modelPreheat: { args: { name: string, peers: string, tags?: Record<string, string>, kind?: 'model' | 'dataset' }, result: Array<{ peerId: string, ok: boolean, error?: string }> }
  /** Pin with a replication factor (`N` or `MIN:MAX`). */
  pinReplicas: { args: { cid: string, replicas: string }, result: boolean }
  /** Remove a pin (every origin). */
  unpin: { args: { cid: string }, result: boolean }
  /** The replications this peer knows of. */
  replicationLs: { args: Record<string, never>, result: Array<{ cid: string, min: number, max: number, holders: string[], state: string }> }
  /** Every pin: CID and origins. */
  pinLs: { args: Record<string, never>, result: Array<{ cid: string, origins: string[] }> }
  /** Peer ids (other than this peer) the routing layer names as providers of `cid` within `timeoutMs`. */
  cidProviders: { args: { cid: string, timeoutMs?: number }, result: string[] }
  /** Whether the root block of `cid` is in this peer's store. */
  exists: { args: { cid: string }, result: boolean }
  /** Peer ids this peer is connected to. */
  peers: { args: Record<string, never>, result: string[] }
  /** Protocol ids this peer's libp2p handles. */
  protocols: { args: Record<string, never>, result: string[] }
  /** Dial an address. */
  dial: { args: { address: string }, result: true }
  /** Stop the node and exit 0. */
  stop: { args: Record<string, never>, result: true }
}

export type OpName = keyof Operations

export interface Request<O extends OpName = OpName> {
  id: number
  op: O
  args: Operations[O]['args']
}

export type Response = { id: number, result: unknown } | { id: number, error: ErrorShape }

/** Sent before the response by operations asked for `progress: true`: one progress event (type and detail). */
export interface ProgressMessage {
  id: number
  progress: { type: string, detail: unknown }
}
