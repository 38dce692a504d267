/**
 * A local miss asked of the cluster. Peers whose gossip says they hold the
 * key are asked first; the other connected peers (those that said, through
 * identify, that they speak `/ipfs-kit/cache/1.0.0` first) when the hinted
 * ones have all answered without a hit, or after `cache.hinted_grace` — up
 * to CACHE_MAX_PEERS_ASKED in all, within one deadline. Answers are judged as
 * they arrive — signature, writer, key, expiry, size — and the first good
 * one's value is taken from the answer (a one-block value, hashed against the
 * signed CID) or fetched by CID through the transfer engine (every block
 * hashed). A peer whose entry is forged or whose value does not match its
 * signed entry is ignored from then on.
 */
import { logger } from '@libp2p/logger'
import { CACHE_INLINE_MAX_BYTES, CACHE_MAX_PEERS_ASKED, CACHE_PROTOCOL } from '../constants.ts'
import { parseCid } from '../blocks/index.ts'
import { InvalidInputError } from '../errors.ts'
import { askEntry } from './protocol.ts'
import { verifyEntry } from './signed-entry.ts'
import type { HintIndex } from './hints.ts'
import type { RawAnswer } from './protocol.ts'
import type { SignedEntry } from './signed-entry.ts'
import type { Hold } from '../pins/index.ts'
import type { AbortOptions, Libp2p, PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const log = logger('ipfs-kit:cache:remote')
const RAW = 0x55

export interface RemoteLookupInit {
  libp2p: Libp2p
  maxValueSize: number
  hints: HintIndex
  /** Whether a writer (publisher id) is believed. */
  trusted(writer: string): boolean
  /** The value of `cid`, fetched (verified) and held under `hold`; undefined when no peer sent it in time. */
  fetch(cid: string, options: AbortOptions & { timeoutMs: number, hold: Hold }): Promise<Uint8Array | undefined>
  /** Keep one block a peer sent, after checking that the bytes hash to `cid` (InvalidInputError when not). */
  putBlock(cid: CID, bytes: Uint8Array, options: AbortOptions & { hold: Hold }): Promise<unknown>
  hold(): Hold
  /** How long hinted peers have before the others are asked too (config `cache.hinted_grace`). */
  hintedGraceMs: number
}

export interface RemoteHit {
  entry: SignedEntry
  value: Uint8Array
  /** Holds the value's blocks; the caller keeps it for the entry's life or releases it. */
  hold: Hold
  peer: string
}

interface Answer { peer: string, answer: RawAnswer | undefined }

export class RemoteLookup {
  /** Peers caught lying, by peer id: never asked again while this node runs. */
  readonly ignored = new Set<string>()
  /** Lookups sent to peers since start. */
  asked = 0

  constructor (private readonly c: RemoteLookupInit) {}

  async lookup (digest: string, options: AbortOptions & { timeoutMs: number }): Promise<RemoteHit | undefined> {
    const deadline = Date.now() + options.timeoutMs
    const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(options.signal != null ? [options.signal] : [])])
    const { hinted, others } = await this.candidates(digest)
    if (hinted.length + others.length === 0) return undefined
    const pending = new Map<string, Promise<Answer>>()
    const ask = (peers: PeerId[]): void => {
      for (const peer of peers) {
        if (pending.size >= CACHE_MAX_PEERS_ASKED) return
        this.asked++
        const id = peer.toString()
        pending.set(id, askEntry(this.c.libp2p, peer, digest, { signal, inline: Math.min(this.c.maxValueSize, CACHE_INLINE_MAX_BYTES) }).then(answer => ({ peer: id, answer }), err => {
          log('%p did not answer - %e', peer, err)
          return { peer: id, answer: undefined }
        }))
      }
    }
    let widened = hinted.length === 0
    ask(widened ? others : hinted)
    // the others join when the hinted peers have all answered, or when the grace runs out
    let graceTimer: NodeJS.Timeout | undefined
    const grace = widened ? undefined : new Promise<'grace'>(resolve => { graceTimer = setTimeout(() => { resolve('grace') }, this.c.hintedGraceMs) })
    try {
      while (!signal.aborted) {
        if (pending.size === 0) {
          if (widened) break
          widened = true
          ask(others)
          continue
        }
        const next = await Promise.race([...pending.values(), ...(widened || grace == null ? [] : [grace])])
        if (next === 'grace') {
          widened = true
          ask(others)
          continue
        }
        const { peer, answer } = next
        pending.delete(peer)
        if (answer == null) {
          this.c.hints.forget(peer, digest)
          continue
        }
        const hit = await this.judge(peer, digest, answer, deadline, signal)
        if (hit != null) return hit
      }
      return undefined
    } finally {
      clearTimeout(graceTimer)
    }
  }

  private async judge (peer: string, digest: string, raw: RawAnswer, deadline: number, signal: AbortSignal): Promise<RemoteHit | undefined> {
    let entry: SignedEntry
    try {
      entry = await verifyEntry(raw.entry, digest, w => this.c.trusted(w), this.c.maxValueSize)
    } catch (err: any) {
      // an untrusted writer is not a lie (a member may write entries we do not believe); a forgery is
      if (/trusted_writers/.test(err.message)) {
        log('%s: %s', peer, err.message)
        return undefined
      }
      this.ignore(peer, err.message)
      return undefined
    }
    if (entry.expires != null && entry.expires <= Date.now()) return undefined
    const hold = this.c.hold()
    try {
      const value = raw.value != null ? await this.inline(entry, raw.value, hold, signal) : await this.c.fetch(entry.cid, { signal, timeoutMs: Math.max(1, deadline - Date.now()), hold })
      if (value == null) {
        hold.release()
        return undefined
      }
      if (value.byteLength !== entry.size) {
        hold.release()
        this.ignore(peer, `its entry says ${entry.size} bytes, the content of ${entry.cid} has ${value.byteLength}`)
        return undefined
      }
      return { entry, value, hold, peer }
    } catch (err: any) {
      hold.release()
      if (err?.name === 'CorruptBlockError' || err?.name === 'UnsupportedContentError' || err?.name === 'UnsupportedHashError' || err?.name === 'InvalidInputError') {
        this.ignore(peer, `its value for ${entry.cid} did not verify: ${err.message}`)
        return undefined
      }
      if (signal.aborted) return undefined
      log('fetching %s named by %s failed - %e', entry.cid, peer, err)
      return undefined
    }
  }

  /** An inline value: one raw block, kept only if its bytes hash to the signed CID (InvalidInputError when not). */
  private async inline (entry: SignedEntry, value: Uint8Array, hold: Hold, signal: AbortSignal): Promise<Uint8Array> {
    const cid = parseCid(entry.cid)
    if (cid.code !== RAW) throw new InvalidInputError(`it sent ${entry.cid}, not a one-block value, inline`, 'a peer sends only raw one-block values inline')
    await this.c.putBlock(cid, value, { hold, signal })
    return value
  }

  private ignore (peer: string, why: string): void {
    log.error('ignoring cache peer %s from now on: %s', peer, why)
    this.ignored.add(peer)
    this.c.hints.forgetPeer(peer)
  }

  /**
   * Connected peers not ignored: those whose gossip announced `digest`; then those that said
   * (identify) they speak the protocol, then the rest — a peer's protocol list can be stale (a
   * handler registered after identify), and one that does not speak it costs a failed negotiation,
   * not a timeout.
   */
  private async candidates (digest: string): Promise<{ hinted: PeerId[], others: PeerId[] }> {
    const hintedIds = new Set(this.c.hints.peersFor(digest))
    const seen = new Set<string>()
    const hinted: PeerId[] = []
    const known: PeerId[] = []
    const rest: PeerId[] = []
    for (const connection of this.c.libp2p.getConnections()) {
      const id = connection.remotePeer
      const key = id.toString()
      if (seen.has(key) || this.ignored.has(key)) continue
      seen.add(key)
      if (hintedIds.has(key)) {
        hinted.push(id)
        continue
      }
      const protocols: string[] = await this.c.libp2p.peerStore.get(id).then(p => p.protocols, () => [])
      if (protocols.includes(CACHE_PROTOCOL)) known.push(id)
      else rest.push(id)
    }
    return { hinted, others: [...known, ...rest] }
  }
}
