/**
 * The cache's cluster side, started when `cache.share` is on and the node is
 * online: answering peers' lookups (`/ipfs-kit/cache/1.0.0`), gossiping the
 * digests of new entries and keeping the peers' hints, and asking peers on a
 * local miss (hinted ones first). What peers send is believed only after it
 * verifies (src/cache/remote-lookup.ts).
 */
import { CACHE_PROTOCOL } from '../constants.ts'
import { startDigestGossip } from './digest-gossip.ts'
import { HintIndex } from './hints.ts'
import { handleCacheProtocol } from './protocol.ts'
import { RemoteLookup } from './remote-lookup.ts'
import type { DigestGossip } from './digest-gossip.ts'
import type { CacheServerSource } from './protocol.ts'
import type { RemoteHit } from './remote-lookup.ts'
import type { IPFSKitStorage } from '../storage/index.ts'
import type { AbortOptions, Libp2p } from '@libp2p/interface'

export interface SharingInit {
  libp2p: Libp2p
  storage: IPFSKitStorage
  /** What this node answers: its live entries and their values. */
  source: CacheServerSource
  maxValueSize: number
  /** Publisher ids believed; null: any member of the cluster. */
  trustedWriters: string[] | null
  /** Per-request deadline of the server side. */
  timeoutMs: number
  /** Time hinted peers have before the others are asked too (config `cache.hinted_grace`). */
  hintedGraceMs: number
}

/** How the cache talks to the cluster, since start (`kit.cache.sharing()`). */
export interface SharingStats {
  /** Lookups sent to peers on local misses. */
  asksSent: number
  /** Lookups from peers answered (hits and misses). */
  asksServed: number
  /** Digests of new entries gossiped. */
  digestsAnnounced: number
  /** Hints kept: (peer, digest) pairs from peers' gossip. */
  hints: number
  /** Peers caught sending forged entries or values that do not match them, ignored until restart. */
  ignoredPeers: string[]
}

export class CacheSharing {
  private asksServed = 0

  private constructor (
    private readonly libp2p: Libp2p,
    private readonly hints: HintIndex,
    private readonly remote: RemoteLookup,
    private readonly gossip: DigestGossip
  ) {}

  static async start (init: SharingInit): Promise<CacheSharing> {
    const hints = new HintIndex()
    const remote = new RemoteLookup({
      libp2p: init.libp2p,
      maxValueSize: init.maxValueSize,
      hints,
      trusted: writer => init.trustedWriters == null || init.trustedWriters.includes(writer),
      fetch: async (cid, options) => await init.storage.retrieve(cid, options),
      putBlock: async (cid, bytes, options) => await init.storage.putBlock(cid, bytes, options),
      hold: () => init.storage.hold(),
      hintedGraceMs: init.hintedGraceMs
    })
    const sharing = new CacheSharing(init.libp2p, hints, remote, startDigestGossip(init.libp2p, hints))
    await handleCacheProtocol(init.libp2p, { ...init.source, served: () => { sharing.asksServed++ } }, init.timeoutMs)
    return sharing
  }

  /** Ask the cluster for the entry of `digest`; the hit's value is verified and held. */
  async lookup (digest: string, options: AbortOptions & { timeoutMs: number }): Promise<RemoteHit | undefined> {
    return await this.remote.lookup(digest, options)
  }

  /** Tell the cluster this node now holds the entry of `digest`. */
  announce (digest: string, expires: number | null): void {
    this.gossip.announce(digest, expires)
  }

  stats (): SharingStats {
    return { asksSent: this.remote.asked, asksServed: this.asksServed, digestsAnnounced: this.gossip.announced, hints: this.hints.size, ignoredPeers: [...this.remote.ignored] }
  }

  async stop (): Promise<void> {
    this.gossip.stop()
    await this.libp2p.unhandle(CACHE_PROTOCOL).catch(() => {})
  }
}
