/**
 * Serving `/ipfs-kit/transfer/1.1.0` and `/1.0.0`: read the request, then send each block
 * asked for from the local store (every block verified on read, so a block
 * damaged on our disk is never sent), reading the next block while the
 * current one is written. Work per peer is bounded: at most
 * TRANSFER_MAX_STREAMS_PER_PEER requests served at once for one peer and
 * TRANSFER_MAX_STREAMS_TOTAL for all; one more gets BUSY. Bytes in flight per
 * request are one block being written and one being read, since each write
 * waits for the stream to drain.
 *
 * How many requests are answered at once is paced by this node's uplink
 * (slot-pacer.ts, config `transfer.upload_slots`): past it, BUSY, so a seed
 * on a slow link sends whole blocks to a few requesters instead of a trickle
 * to every one of them.
 *
 * Slow readers cannot hold the slots: the answer to a request must be read
 * within TRANSFER_SEND_TIMEOUT_MS of the request, and a stream is cut
 * TRANSFER_STREAM_MAX_MS after it opened, whatever it still has to send (the
 * requester asks again for what it missed); when every slot is taken, a peer
 * holding fewer than its fair share (the total divided among the peers
 * served) takes the oldest slot of the peer holding the most, instead of
 * being answered BUSY. A peer that keeps reopening refused streams (more than
 * TRANSFER_BUSY_LIMIT BUSY answers in TRANSFER_BUSY_WINDOW_MS) is throttled
 * for TRANSFER_THROTTLE_MS: its connection is closed and its streams reset
 * unread, so a storm of reopened streams cannot starve the server.
 *
 * A 1.1.0 stream whose first frame is a have frame is a peer announcing the
 * blocks it received (wire.ts): it takes no serving slot (at most
 * TRANSFER_HAVE_STREAMS_PER_PEER such streams per peer), and what it says
 * goes to the node's HaveMap, which this node's sessions use to choose whom
 * to ask and this server uses to send askers to a peer that announced a
 * block rather than send it again (super-seed.ts) — while this node is not
 * itself fetching: a fetching node serves what it holds.
 */
import { logger } from '@libp2p/logger'
import { TRANSFER_BUSY_LIMIT, TRANSFER_BUSY_WINDOW_MS, TRANSFER_HAVE_IDLE_MS, TRANSFER_HAVE_STREAMS_PER_PEER, TRANSFER_IN_FLIGHT_WAIT_MS, TRANSFER_MAX_STREAMS_PER_PEER, TRANSFER_MAX_STREAMS_TOTAL, TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0, TRANSFER_REQUEST_TIMEOUT_MS, TRANSFER_SEND_TIMEOUT_MS, TRANSFER_SERVE_INITIAL_SLOTS, TRANSFER_SERVE_MIN_SLOTS, TRANSFER_SERVE_SAMPLES, TRANSFER_SERVE_STALLED_FACTOR, TRANSFER_SERVE_TARGET_MS_PER_MIB, TRANSFER_STREAM_MAX_MS, TRANSFER_THROTTLE_MS, TRANSFER_THROTTLE_TRACKED } from '../constants.ts'
import { BusyThrottle } from './busy-throttle.ts'
import { StreamSlots } from './stream-slots.ts'
import { SlotPacer } from './slot-pacer.ts'
import { FrameReader } from './frame-reader.ts'
import { SuperSeed } from './super-seed.ts'
import type { InFlight } from './in-flight.ts'
import type { HaveMap } from './have-map.ts'
import { decodeHaves, decodeRequest, FRAME_BLOCK, FRAME_BUSY, FRAME_ELSEWHERE, FRAME_MISSING, flushed, isHaveFrame, MAX_FIRST_FRAME_BYTES, MAX_HAVE_FRAME_BYTES, MAX_REQUEST_BYTES, statusByte, writeFrame } from './wire.ts'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { code as RAW_CODE } from 'multiformats/codecs/raw'
import type { CID } from 'multiformats/cid'

const log = logger('ipfs-kit:transfer:server')

/** What the server reads blocks from: verified reads, NotFoundError when absent or corrupt. */
export interface ServedBlocks {
  getBytes(cid: CID): Promise<Uint8Array>
}

export interface TransferServerInit {
  /** @default TRANSFER_MAX_STREAMS_PER_PEER */
  maxStreamsPerPeer?: number
  /** @default TRANSFER_MAX_STREAMS_TOTAL */
  maxStreamsTotal?: number
  /** Longest a stream may be served, from its opening; then it is cut (config `transfer.stream_max`). @default TRANSFER_STREAM_MAX_MS */
  maxStreamMs?: number
  /** Time a requester has to read the whole answer to one request; then it is cut. @default TRANSFER_SEND_TIMEOUT_MS */
  answerTimeoutMs?: number
  /** Blocks this node is fetching now: asked for one, the server waits for it to land. */
  inFlight?: InFlight
  /** Called with the bytes of each block sent (for metrics) and its CID (access statistics). */
  onSent?(peer: string, bytes: number, cid: CID): void
  /** Where peers' have-announcements go (1.1.0); without it, have streams are refused. */
  haves?: HaveMap
  /** Requests answered at once: 'auto' paces them by the uplink (slot-pacer.ts), a number fixes them (config `transfer.upload_slots`). @default 'auto' */
  uploadSlots?: 'auto' | number
  /** Protocol ids served. @default [TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0] */
  protocols?: string[]
}

export interface TransferServer {
  /** Requests being served now, per peer id. */
  active(): Map<string, number>
  /** Peers throttled since the server started (they kept reopening refused streams). */
  throttledPeers(): number
  /** The blocks `peer` announced it holds (1.1.0 have streams), as this node remembers them. */
  announcedBy(peer: string): string[]
  stop(): Promise<void>
}

/**
 * Whether `cid` names file bytes (a raw leaf): what the uplink pacer and super-seeding's referrals
 * are for. A manifest or DAG node is small, and every pull needs it before anything else.
 */
function isFileBytes (cid: CID): boolean {
  return cid.code === RAW_CODE
}

/** The id of `peer` if we are connected to it (only then is it worth sending someone there). */
function connectedPeer (libp2p: Libp2p, peer: string): PeerId | undefined {
  return libp2p.getPeers().find(id => id.toString() === peer)
}

export async function startTransferServer (libp2p: Libp2p, blocks: ServedBlocks, init: TransferServerInit = {}): Promise<TransferServer> {
  const perPeerLimit = init.maxStreamsPerPeer ?? TRANSFER_MAX_STREAMS_PER_PEER
  const totalLimit = init.maxStreamsTotal ?? TRANSFER_MAX_STREAMS_TOTAL
  const maxStreamMs = init.maxStreamMs ?? TRANSFER_STREAM_MAX_MS
  const answerTimeoutMs = init.answerTimeoutMs ?? TRANSFER_SEND_TIMEOUT_MS
  const slots = new StreamSlots(perPeerLimit, totalLimit)
  const uploadSlots = init.uploadSlots ?? 'auto'
  const pacer = uploadSlots === 'auto' ? new SlotPacer({ max: totalLimit, initial: TRANSFER_SERVE_INITIAL_SLOTS, min: TRANSFER_SERVE_MIN_SLOTS, targetMsPerMiB: TRANSFER_SERVE_TARGET_MS_PER_MIB, samples: TRANSFER_SERVE_SAMPLES, stalledFactor: TRANSFER_SERVE_STALLED_FACTOR }) : undefined
  const fixedSlots = uploadSlots === 'auto' ? totalLimit : Math.min(totalLimit, uploadSlots)
  /** Requests answered at once now: the pacer's limit, or the configured number. */
  const pacedLimit = (): number => pacer?.limit() ?? fixedSlots
  const throttle = new BusyThrottle({ limit: TRANSFER_BUSY_LIMIT, windowMs: TRANSFER_BUSY_WINDOW_MS, coolDownMs: TRANSFER_THROTTLE_MS, tracked: TRANSFER_THROTTLE_TRACKED })
  let throttledPeers = 0
  const superSeed = new SuperSeed()
  const protocols = init.protocols ?? [TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0]
  const haveStreams = new Map<string, number>()
  const haves = init.haves
  /** A connected peer other than `asker` that announced `block`, if any. */
  const announcedBy = (block: string, asker: string): string | undefined => {
    if (haves == null) return undefined
    for (const holder of haves.holders(block)) if (holder !== asker) return holder
    return undefined
  }

  /** A have stream: every frame's CIDs recorded as `peer`'s, until it ends or idles. */
  const serveHaves = async (stream: Stream, frames: FrameReader, first: Uint8Array, peer: string): Promise<void> => {
    const open = haveStreams.get(peer) ?? 0
    if (haves == null || open >= TRANSFER_HAVE_STREAMS_PER_PEER) throw new Error('have stream refused')
    haveStreams.set(peer, open + 1)
    try {
      const opening = decodeHaves(first).map(cid => cid.toString())
      if (log.enabled) log('%s opened a have stream with %d blocks', peer, opening.length)
      haves.record(peer, opening)
      const open = (): boolean => stream.readStatus === 'readable' || stream.readStatus === 'paused'
      while (open()) {
        const frame = await frames.read({ idleTimeoutMs: 2 * TRANSFER_HAVE_IDLE_MS }).catch(err => {
          if (open()) throw err
          return undefined // the announcer closed it
        })
        if (frame == null) break
        if (frame.byteLength > MAX_HAVE_FRAME_BYTES) throw new Error('have frame too long')
        const cids = decodeHaves(frame.subarray()).map(cid => cid.toString())
        if (log.enabled) log('%s announced %d blocks', peer, cids.length)
        haves.record(peer, cids)
      }
      frames.release()
      await stream.close().catch(() => {})
    } finally {
      const left = (haveStreams.get(peer) ?? 1) - 1
      if (left === 0) haveStreams.delete(peer)
      else haveStreams.set(peer, left)
    }
  }

  const serve = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString()
    const v11 = stream.protocol !== TRANSFER_PROTOCOL_1_0
    if (throttle.throttled(peer)) {
      // unread: a throttled peer costs us a reset and a closed connection, nothing more
      stream.abort(new Error('transfer peer throttled'))
      void connection.close().catch(() => {})
      return
    }
    const frames = new FrameReader(stream, v11 ? MAX_FIRST_FRAME_BYTES : MAX_REQUEST_BYTES)
    if (v11) {
      // a have stream takes no slot: read its first frame apart, within the request timeout
      let first: Uint8Array
      try {
        first = (await frames.read({ signal: AbortSignal.timeout(TRANSFER_REQUEST_TIMEOUT_MS) })).subarray()
      } catch (err: any) {
        frames.release()
        stream.abort(err)
        return
      }
      if (isHaveFrame(first)) {
        await serveHaves(stream, frames, first, peer).catch((err: any) => {
          frames.release()
          log('have stream from %s failed - %s', peer, err.message)
          stream.abort(err)
        })
        return
      }
      await serveRequest(stream, connection, frames, first)
      return
    }
    await serveRequest(stream, connection, frames)
  }

  /** One request (its first frame already read when `first` is given) and its answer. */
  const serveRequest = async (stream: Stream, connection: Connection, frames: FrameReader, first?: Uint8Array): Promise<void> => {
    const peer = connection.remotePeer.toString()
    let cids: CID[]
    try {
      cids = decodeRequest(first ?? (await frames.read({ signal: AbortSignal.timeout(TRANSFER_REQUEST_TIMEOUT_MS) })).subarray())
    } catch (err: any) {
      frames.release()
      log('request from %s failed - %s', peer, err.message)
      stream.abort(err)
      return
    }
    frames.release()
    // the uplink pacer is for file bytes (raw leaves): a request for manifests and DAG nodes only is
    // small, and every pull needs it before anything else, so it is held to the hard limits alone
    // (slow readers holding every paced slot kept an honest pull from its manifest)
    const paced = cids.some(isFileBytes) ? pacedLimit() : undefined
    const slot = slots.acquire(peer, { paced, stalledAfterMs: pacer?.stalledAfterMs() })
    // the answer within maxStreamMs (or until a fairer peer takes the slot)
    const cut = slot?.signal ?? new AbortController().signal
    const timer = setTimeout(() => { slot?.abort(new Error(`transfer stream served for ${maxStreamMs} ms`)) }, maxStreamMs)
    try {
      if (slot == null) {
        if (throttle.refused(peer)) {
          throttledPeers++
          log('throttling %s for %d ms: more than %d BUSY answers in %d ms', peer, TRANSFER_THROTTLE_MS, TRANSFER_BUSY_LIMIT, TRANSFER_BUSY_WINDOW_MS)
          stream.abort(new Error('transfer peer throttled'))
          await libp2p.hangUp(connection.remotePeer).catch(() => {})
          return
        }
        if (log.enabled) log('busy for %s (serving %d, limit %d)', peer, slots.serving(), pacedLimit())
        const signal = AbortSignal.timeout(TRANSFER_SEND_TIMEOUT_MS)
        await writeFrame(stream, [statusByte(FRAME_BUSY)], { signal })
        await stream.close({ signal })
        return
      }
      // the per-request deadline: the whole answer read within answerTimeoutMs, however it trickles
      const deadline = AbortSignal.timeout(answerTimeoutMs)
      // blocks on their way here are waited for, all of one request within one TRANSFER_IN_FLIGHT_WAIT_MS
      let waitUntil: number | undefined
      const read = (cid: CID | undefined): Promise<Uint8Array | undefined> | undefined => {
        if (cid == null) return undefined
        return blocks.getBytes(cid).catch(async () => {
          waitUntil ??= Date.now() + TRANSFER_IN_FLIGHT_WAIT_MS
          if (init.inFlight == null || !await init.inFlight.wait(cid.toString(), waitUntil - Date.now())) return undefined
          return await blocks.getBytes(cid).catch(() => undefined)
        })
      }
      let next = read(cids[0])
      for (let i = 0; i < cids.length; i++) {
        const bytes = await next
        next = read(cids[i + 1])
        cut.throwIfAborted()
        const signal = AbortSignal.any([cut, deadline])
        const cid = cids[i] as CID
        const key = cid.toString()
        // only a node that is not itself fetching refers askers elsewhere (a seed saving its upload
        // for pieces nobody has); a fetching node serves what it holds: its uplink is as good as the
        // peer it would name, and each referral costs the asker a round trip (seconds on a busy link).
        // Only file bytes (raw leaves) are worth one: a manifest or DAG node is smaller than the
        // referral's round trip, and every pull needs it before anything else
        const referable = bytes != null && isFileBytes(cid) && init.inFlight?.fetching() !== true
        const other = referable ? superSeed.elsewhere(key, peer, Date.now(), announcedBy(key, peer)) : undefined
        const otherId = other == null ? undefined : connectedPeer(libp2p, other)
        if (log.enabled) log('%s %s for %s (serving %d, limit %d)', bytes == null ? 'missing' : otherId != null ? `elsewhere (${other})` : 'sending', key, peer, slots.serving(), pacedLimit())
        if (bytes == null) {
          await writeFrame(stream, [statusByte(FRAME_MISSING)], { signal })
        } else if (otherId != null) {
          await writeFrame(stream, [statusByte(FRAME_ELSEWHERE), otherId.toMultihash().bytes], { signal })
        } else {
          // recorded as it starts: a peer asking while it is still on the wire is sent to this one
          if (isFileBytes(cid)) superSeed.sent(key, peer)
          const started = Date.now()
          slot.sendingSince = started
          await writeFrame(stream, [statusByte(FRAME_BLOCK), bytes], { signal })
          // timed to the last window handed to the muxer, not to the first window update; a send
          // stalls only when the receiver takes nothing for a while, not when it is slow (on a
          // 2 Mbit/s uplink shared by three, 1 MiB takes 12 s: counted from the block's start,
          // every send was taken over by another asker and 24 pulls of 8 MiB all failed)
          await flushed(stream, { signal, onProgress: () => { slot.sendingSince = Date.now() } })
          slot.sendingSince = undefined
          pacer?.measured(Date.now() - started, bytes.byteLength, slots.serving())
          if (log.enabled) log('sent %s (%d bytes) to %s in %d ms (serving %d, limit %d)', key, bytes.byteLength, peer, Date.now() - started, slots.serving(), pacedLimit())
          init.onSent?.(peer, bytes.byteLength, cid)
        }
      }
      await stream.close({ signal: AbortSignal.any([cut, deadline]) })
    } catch (err: any) {
      log('request from %s failed - %s', peer, err.message)
      stream.abort(err)
    } finally {
      clearTimeout(timer)
      slot?.release()
    }
  }

  await libp2p.handle(protocols, serve, {
    // libp2p resets streams past this per connection before they reach us; ours answers BUSY first
    maxInboundStreams: perPeerLimit * 4,
    runOnLimitedConnection: false
  })
  // what a peer announced is forgotten when it goes (it is only worth something while it is connected)
  const onDisconnect = (evt: CustomEvent<PeerId>): void => { haves?.dropPeer(evt.detail.toString()) }
  libp2p.addEventListener('peer:disconnect', onDisconnect)
  return {
    active: () => slots.active(),
    throttledPeers: () => throttledPeers,
    announcedBy: peer => haves?.blocksOf(peer) ?? [],
    stop: async () => {
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
      await libp2p.unhandle(protocols)
    }
  }
}
