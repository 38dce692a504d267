/**
 * A networked block source over `/ipfs-kit/transfer/1.1.0` (or 1.0.0): blocks missing
 * locally are wanted, wants are grouped into batches, and each provider (a
 * connected peer that speaks the protocol, preferring those that served us
 * before) gets up to TRANSFER_REQUESTS_PER_PROVIDER batches in flight, so the
 * work splits between providers by how fast each one answers. Every block
 * is hashed against the CID asked for before it is written or handed out; a
 * provider that sends wrong bytes is dropped at its first bad block and its
 * share re-queued, as is the share of a provider that fails or stalls. When
 * nothing is left to hand out, a block in flight too long at one provider is
 * also asked of an idle one (end-game). Blocks no protocol peer has go to
 * the fallback source (bitswap), so peers that speak only bitswap still serve.
 *
 * Swarming (1.1.0): every block that lands is announced to the session's
 * providers (announcer.ts), and what they announce (have-map.ts) decides
 * whom to ask: a peer that is itself fetching is asked only for blocks it
 * announced, rarest first (those the fewest peers announced); a seed (a
 * provider that never lacked a block) only for blocks no reachable peer
 * announced. Peers speaking only 1.0.0 announce nothing and are asked as
 * before: anything, a MISSING marking them as lacking it for a while.
 */
import { logger } from '@libp2p/logger'
import { CustomProgressEvent } from 'progress-events'
import {
  DEFAULT_FETCH_TIMEOUT_MS, NETWORK_READ_AHEAD_BLOCKS, TRANSFER_BATCH_BLOCKS, TRANSFER_BLOCK_TIMEOUT_MS, TRANSFER_LANDING_WINDOW_MS,
  TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0,
  TRANSFER_RETRY_DROPPED_MS, TRANSFER_STEAL_AFTER_MS
} from '../constants.ts'
import { asNotFound, NotFoundError } from '../errors.ts'
import { ask } from './ask.ts'
import { lacks, raceSignal, takeBatch, wasDeferred } from './want.ts'
import { askPolicy } from './ask-policy.ts'
import { shuffled } from './shuffle.ts'
import { Provider } from './provider.ts'
import { Downlink } from './downlink.ts'
import type { InFlight } from './in-flight.ts'
import type { HaveMap } from './have-map.ts'
import type { HaveAnnouncer } from './announcer.ts'
import { SessionAnnouncements } from './session-announcements.ts'
import type { DropReason } from './provider.ts'
import type { Want } from './want.ts'
import type { BlockSource } from '../blocks/index.ts'
import type { AbortOptions, Libp2p, PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { ProgressEvent } from 'progress-events'

const log = logger('ipfs-kit:transfer')

/** Where fetched blocks go and where present ones are read: verified reads, NotFoundError when absent. */
export interface SessionBlockstore {
  getBytes(cid: CID, options?: AbortOptions): Promise<Uint8Array>
  has(cid: CID, options?: AbortOptions): Promise<boolean>
  put(cid: CID, bytes: Uint8Array, options?: AbortOptions): Promise<CID>
}

export type TransferProgressEvents =
  ProgressEvent<'transfer:provider-dropped', { peer: string, reason: DropReason, detail: string }>

export interface TransferSourceInit {
  libp2p: Libp2p
  blockstore: SessionBlockstore
  /** For blocks no peer speaking our protocol has (peers that speak only bitswap). */
  fallback?: BlockSource
  /** Per-block wait for peers. @default DEFAULT_FETCH_TIMEOUT_MS */
  timeoutMs?: number
  /** Called with each block that came from peers over our protocol. */
  onFetched?(cid: CID, bytes: Uint8Array, peer: string): void
  onProgress?(event: TransferProgressEvents): void
  /** Where this node records blocks it is fetching, for its transfer server (in-flight.ts). */
  inFlight?: InFlight
  /** What peers announced they hold (the node's, filled by its transfer server); without it, peers are asked blindly (1.0.0). */
  haves?: HaveMap
  /** Announces the blocks that land here to the session's providers (1.1.0); without it, nothing is announced. */
  announcer?: HaveAnnouncer
  /** Protocol ids asked in, preferred first. @default [TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0] */
  protocols?: string[]
  /** The node's requests in flight, shared by its sessions (downlink.ts). @default this session's own */
  downlink?: Downlink
}

export interface ProviderStats {
  peer: string
  served: number
  bytes: number
  lacked: number
  dropped?: DropReason
}

export interface TransferSource extends BlockSource {
  /** Leaf blocks a reader should keep wanted ahead of itself. */
  readonly readAhead: number
  /** What each provider did for this source so far. */
  stats(): ProviderStats[]
}


export function transferSource (init: TransferSourceInit): TransferSource {
  const { libp2p, blockstore } = init
  const timeoutMs = init.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS
  const wants = new Map<string, Want>()
  const pending: Want[] = []
  const providers = new Map<string, Provider>()
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  const protocols = init.protocols ?? [TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0]
  const { haves } = init
  const downlink = init.downlink ?? new Downlink()
  const announcements = protocols.includes(TRANSFER_PROTOCOL) && init.announcer != null ? new SessionAnnouncements(init.announcer) : undefined
  let lastLanded = 0
  /** When the pump last logged why wants wait (debug). */
  let lastStall = 0
  /**
   * How long after the last block landed the session still counts as landing blocks: a quarter of
   * the per-block wait, between TRANSFER_BLOCK_TIMEOUT_MS and TRANSFER_LANDING_WINDOW_MS (on slow
   * shared links blocks can land 10 s apart while bytes flow all the time; a stalled provider is
   * dropped after TRANSFER_BLOCK_TIMEOUT_MS without bytes anyway).
   */
  const landingWindowMs = Math.min(TRANSFER_LANDING_WINDOW_MS, Math.max(TRANSFER_BLOCK_TIMEOUT_MS, timeoutMs / 4))
  /** The session landed a block within the landing window: a want still waiting is late, not missing. */
  const stillLanding = (): boolean => Date.now() - lastLanded < landingWindowMs
  /** A block landed here: tell the session's providers. */
  const announceLanded = (cid: CID): void => {
    lastLanded = Date.now()
    announcements?.landed(cid, key => providers.get(key))
  }

  const finish = (w: Want): void => {
    w.done = true
    clearTimeout(w.timer)
    wants.delete(w.key)
    const i = pending.indexOf(w)
    if (i !== -1) pending.splice(i, 1)
  }

  const providerOf = (id: PeerId): Provider => {
    const key = id.toString()
    let p = providers.get(key)
    if (p == null) {
      p = new Provider(id)
      providers.set(key, p)
      const provider = p
      // identify tells which protocols a peer speaks; until it has, the peer is tried. Its record
      // lists protocols before that (each stream opened adds its own, identify's first), so the
      // list counts only once identify has written the peer's agent version
      libp2p.peerStore.get(id).then(peer => {
        if (!peer.metadata.has('AgentVersion') || provider.capable != null) return
        if (peer.protocols.some(id => protocols.includes(id))) provider.capable = true
        else provider.incapable()
      }, () => {})
    }
    return p
  }

  /**
   * Connected providers not dropped and not known to lack our protocol, busy ones included
   * (providers are registered here as peers connect).
   */
  const reachableProviders = (now: number): Provider[] => {
    const connected = new Set<string>()
    for (const id of libp2p.getPeers()) {
      const p = providerOf(id)
      connected.add(id.toString())
      // a peer announcing haves to us speaks 1.1.0, whatever its identify said
      if (p.capable === false && haves?.fetching(p.key, now) === true) p.capable = true
    }
    return [...providers.values()].filter(p => connected.has(p.key) && p.usable(Math.max(now, p.busyUntil), TRANSFER_RETRY_DROPPED_MS))
  }

  const drop = (p: Provider, reason: DropReason, detail: string): void => {
    if (p.dropped != null) return
    log('dropping provider %s: %s', p.key, detail)
    p.drop(reason, detail)
    init.onProgress?.(new CustomProgressEvent('transfer:provider-dropped', { peer: p.key, reason, detail }))
  }

  const toFallback = (w: Want): void => {
    const i = pending.indexOf(w)
    if (i !== -1) pending.splice(i, 1)
    if (init.fallback == null) {
      finish(w)
      w.reject(new NotFoundError(w.cid.toString()))
      return
    }
    w.fallback = true
    if (log.enabled) log('%s to the fallback: no reachable provider has it (%d reachable)', w.key, reachableProviders(Date.now()).length)
    const deadline = AbortSignal.timeout(Math.max(1, w.dispatchedAt + timeoutMs - Date.now()))
    init.fallback.getBytes(w.cid, { signal: deadline }).then(bytes => {
      if (w.done) return
      finish(w)
      announceLanded(w.cid)
      w.resolve(bytes)
    }, err => {
      if (w.done) return
      log('%s: the fallback failed - %s', w.key, err.message)
      // while the session still lands blocks the want goes back to the providers, as one that never
      // left would wait for them: a provider dropped for a stall under load is tried again after
      // TRANSFER_RETRY_DROPPED_MS, and a pull whose only holder stalled once must not fail for it
      if (!deadline.aborted || !stillLanding()) {
        finish(w)
        // the want's own deadline passing means nobody had the block: not found, as when its timer fires
        w.reject(deadline.aborted ? new NotFoundError(w.key, { cause: err }) : asNotFound(w.cid, err))
        return
      }
      w.fallback = false
      w.dispatchedAt = Date.now()
      pending.push(w)
      pump()
    })
  }

  /** Hand pending wants to providers with room; wants nobody can serve go to the fallback. */
  const pump = (): void => {
    if (pending.length === 0 && wants.size === 0) return
    const now = Date.now()
    const reachable = reachableProviders(now)
    // with room now; random order within a score: peers that are themselves fetching get asked as often as the seed
    const available = shuffled(reachable.filter(p => now >= p.busyUntil)).sort((a, b) => b.score() - a.score())
    announcements?.meet(reachable, now)
    const { mayAsk, rarity, announcing } = askPolicy(reachable, haves, now)
    // one request at a time round the providers, so that wants spread over all of them
    for (let progress = true; progress && downlink.hasRoom();) {
      progress = false
      // providers with nothing in flight first (the sort keeps the score order within each group):
      // when the downlink has room for few requests, they go to different providers
      for (const p of [...available].sort((a, b) => Number(a.active > 0) - Number(b.active > 0))) {
        if (!downlink.hasRoom()) break
        if (p.active >= p.window) continue
        const batch = takeBatch(p, pending, w => mayAsk(w, p), rarity)
        if (batch.length === 0) continue
        void request(p, batch)
        progress = true
      }
    }
    // end-game: nothing pending for idle providers; share out blocks in flight too long elsewhere
    for (const p of available) {
      if (!downlink.hasRoom()) break
      if (p.active >= p.window) continue
      const stolen: Want[] = []
      for (const w of wants.values()) {
        if (stolen.length === TRANSFER_BATCH_BLOCKS) break
        if (w.done || w.fallback || w.at.size !== 1 || w.at.has(p.key) || lacks(w, p.key, now) || wasDeferred(w, p.key, now)) continue
        if (announcing(p) && haves?.has(p.key, w.key) !== true) continue
        const holder = providers.get(w.at.values().next().value as string)
        if (now - w.dispatchedAt < (holder?.stealAfterMs() ?? TRANSFER_STEAL_AFTER_MS)) continue
        stolen.push(w)
      }
      if (stolen.length > 0) {
        log('end-game: asking %s for %d blocks in flight elsewhere', p.key, stolen.length)
        void request(p, stolen)
      }
    }
    // wants that no connected provider can give (all said they lack it, or none speaks our
    // protocol) go to the fallback (bitswap); the others wait for a provider with room
    for (const w of [...pending]) {
      if (!reachable.some(p => !lacks(w, p.key, now))) toFallback(w)
    }
    if (log.enabled && pending.length > 0 && now - lastStall > 5_000) {
      lastStall = now
      const w = pending[0] as Want
      log('%d wants pending (%d in flight, downlink %d/%d); %s: %s', pending.length, wants.size - pending.length, downlink.inFlight(), downlink.limit(), w.key,
        reachable.map(p => `${p.key.slice(-6)} ask=${String(mayAsk(w, p))} active=${p.active}/${p.window} busy=${Math.max(0, p.busyUntil - now)}`).join(', ') || 'no reachable provider')
    }
    if (pending.length > 0 && retryTimer == null) {
      retryTimer = setTimeout(() => { retryTimer = undefined; pump() }, 100)
      retryTimer.unref?.()
    }
  }

  const requeue = (batch: Want[], p: Provider): void => {
    const back = batch.filter(w => {
      w.at.delete(p.key)
      return !w.done && !w.fallback && w.at.size === 0 && !pending.includes(w)
    })
    pending.unshift(...back)
  }

  const request = async (p: Provider, batch: Want[]): Promise<void> => {
    const controller = new AbortController()
    p.active++
    downlink.started()
    p.requests.add(controller)
    const now = Date.now()
    let received = 0
    let receivedBytes = 0
    for (const w of batch) {
      w.at.add(p.key)
      if (w.at.size === 1) w.dispatchedAt = now
      // on the wire from now on: a peer asking us for it is answered when it lands (server.ts)
      init.inFlight?.receiving(w.key, w.promise)
    }
    try {
      await ask(libp2p, p, protocols, batch.map(w => w.cid), {
        busy: () => { p.busy(Date.now()) },
        elsewhere: (i, other) => {
          p.referred()
          const w = batch[i] as Want
          w.hint = other
          w.hintAt = Date.now()
          // asked again, the provider sends it: do that at once if we cannot reach the peer it named
          if (libp2p.getPeers().some(id => id.toString() === other)) w.deferred.set(p.key, Date.now())
        },
        missing: i => {
          const w = batch[i] as Want
          if (log.enabled) log('%s lacks %s: it had announced it %s, announcing %s, seed-like %s, hint %s, end-game %s', p.key.slice(-6), w.key, haves?.has(p.key, w.key), haves?.fetching(p.key), p.seedLike(), w.hint === p.key, w.at.size > 1)
          w.lacking.set(p.key, Date.now())
          haves?.forget(p.key, w.key)
          p.lacked++
        },
        lying: i => { drop(p, 'lying', `sent bytes that do not hash to ${(batch[i] as Want).cid}`) },
        block: async (i, bytes) => {
          p.served++
          p.busyInARow = 0
          p.bytes += bytes.byteLength
          received++
          receivedBytes += bytes.byteLength
          await land(batch[i] as Want, bytes, p)
        }
      }, controller.signal)
      p.answered(Date.now() - now, received)
      if (log.enabled) log('asked %s for %d blocks: %d in %d ms (%d in flight, limit %d)', p.key, batch.length, received, Date.now() - now, downlink.inFlight(), downlink.limit())
    } catch (err: any) {
      if (p.dropped == null && p.capable !== false) {
        drop(p, err.name === 'TimeoutError' ? 'timed out' : 'failed', err.message)
      }
    } finally {
      p.active--
      downlink.ended(Date.now() - now, receivedBytes)
      p.requests.delete(controller)
      requeue(batch, p)
      pump()
    }
  }

  const land = async (w: Want, bytes: Uint8Array, p: Provider): Promise<void> => {
    if (w.done) {
      log('duplicate of %s from %s (end-game)', w.key, p.key)
      return
    }
    await blockstore.put(w.cid, bytes)
    if (w.done) return
    finish(w)
    announceLanded(w.cid)
    init.onFetched?.(w.cid, bytes, p.key)
    w.resolve(bytes)
  }

  const want = (cid: CID): Want => {
    const key = cid.toString()
    const existing = wants.get(key)
    if (existing != null) return existing
    let resolve!: (bytes: Uint8Array) => void
    let reject!: (err: Error) => void
    const promise = new Promise<Uint8Array>((res, rej) => { resolve = res; reject = rej })
    promise.catch(() => {})
    const w: Want = { cid, key, promise, resolve, reject, done: false, fallback: false, lacking: new Map(), deferred: new Map(), at: new Set(), dispatchedAt: Date.now(), createdAt: Date.now(), timer: undefined as any }
    const expire = (): void => {
      if (w.done) return
      // a want in a wide pool is not failed while the session keeps landing blocks: waiting its
      // turn, or queued behind others at a provider on a shared link, it is late, not missing (a
      // provider that stalls is dropped after TRANSFER_BLOCK_TIMEOUT_MS and the want asked elsewhere)
      // one at the fallback is settled by the fallback's own deadline (above)
      if (w.fallback || stillLanding()) {
        if (log.enabled) log('%s still wanted after %d ms: %s', key, Date.now() - w.createdAt, w.fallback ? 'at the fallback' : 'the session still lands blocks')
        w.timer = setTimeout(expire, timeoutMs)
        w.timer.unref?.()
        return
      }
      log('%s expired: no block landed in %d ms', key, Date.now() - lastLanded)
      finish(w)
      w.reject(new NotFoundError(key))
    }
    w.timer = setTimeout(expire, timeoutMs)
    w.timer.unref?.()
    wants.set(key, w)
    pending.push(w)
    init.inFlight?.wanted(key, promise)
    return w
  }

  return {
    readAhead: NETWORK_READ_AHEAD_BLOCKS,
    has: async (cid, options) => await blockstore.has(cid, options),
    getBytes: async (cid, options = {}) => {
      try {
        return await blockstore.getBytes(cid, options)
      } catch (err: any) {
        if (err.name !== 'NotFoundError') throw err
      }
      const w = want(cid)
      pump()
      return await raceSignal(w.promise, options.signal)
    },
    stats: () => [...providers.values()].map(p => ({ peer: p.key, served: p.served, bytes: p.bytes, lacked: p.lacked, dropped: p.dropped?.reason }))
  }
}
