/**
 * A local miss asked of the cluster: every connected peer that speaks
 * `/ipfs-kit/cache/1.0.0` (up to CACHE_MAX_PEERS_ASKED) is asked at once for
 * the key's digest; answers are judged as they arrive — signature, writer,
 * key, expiry, size — and the first good one's value is fetched by CID
 * through the transfer engine (every block hashed against its CID), all
 * within one deadline. A peer whose entry is forged or whose value does not
 * match its signed entry is ignored from then on.
 */
import { logger } from '@libp2p/logger'
import { CACHE_MAX_PEERS_ASKED, CACHE_PROTOCOL } from '../constants.ts'
import { askEntry } from './protocol.ts'
import { verifyEntry } from './signed-entry.ts'
import type { SignedEntry } from './signed-entry.ts'
import type { Hold } from '../pins/index.ts'
import type { AbortOptions, Libp2p, PeerId } from '@libp2p/interface'

const log = logger('ipfs-kit:cache:remote')

export interface RemoteLookupInit {
  libp2p: Libp2p
  maxValueSize: number
  /** Whether a writer (publisher id) is believed. */
  trusted(writer: string): boolean
  /** The value of `cid`, fetched (verified) and held under `hold`; undefined when no peer sent it in time. */
  fetch(cid: string, options: AbortOptions & { timeoutMs: number, hold: Hold }): Promise<Uint8Array | undefined>
  hold(): Hold
}

export interface RemoteHit {
  entry: SignedEntry
  value: Uint8Array
  /** Holds the value's blocks; the caller keeps it for the entry's life or releases it. */
  hold: Hold
  peer: string
}

export class RemoteLookup {
  /** Peers caught lying, by peer id: never asked again while this node runs. */
  readonly ignored = new Set<string>()

  constructor (private readonly c: RemoteLookupInit) {}

  async lookup (digest: string, options: AbortOptions & { timeoutMs: number }): Promise<RemoteHit | undefined> {
    const deadline = Date.now() + options.timeoutMs
    const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(options.signal != null ? [options.signal] : [])])
    const peers = (await this.candidates()).slice(0, CACHE_MAX_PEERS_ASKED)
    if (peers.length === 0) return undefined
    // each answer settles its own slot; judged in arrival order
    const pending = new Map(peers.map(peer => [peer.toString(), askEntry(this.c.libp2p, peer, digest, { signal }).then(entry => ({ peer: peer.toString(), entry }), err => {
      log('%p did not answer - %e', peer, err)
      return { peer: peer.toString(), entry: undefined }
    })]))
    while (pending.size > 0 && !signal.aborted) {
      const { peer, entry } = await Promise.race(pending.values())
      pending.delete(peer)
      if (entry == null) continue
      const hit = await this.judge(peer, digest, entry, deadline, signal)
      if (hit != null) return hit
    }
    return undefined
  }

  private async judge (peer: string, digest: string, raw: unknown, deadline: number, signal: AbortSignal): Promise<RemoteHit | undefined> {
    let entry: SignedEntry
    try {
      entry = await verifyEntry(raw, digest, w => this.c.trusted(w), this.c.maxValueSize)
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
      const value = await this.c.fetch(entry.cid, { signal, timeoutMs: Math.max(1, deadline - Date.now()), hold })
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
      if (err?.name === 'CorruptBlockError' || err?.name === 'UnsupportedContentError' || err?.name === 'UnsupportedHashError') {
        this.ignore(peer, `its value for ${entry.cid} did not verify: ${err.message}`)
        return undefined
      }
      if (signal.aborted) return undefined
      log('fetching %s named by %s failed - %e', entry.cid, peer, err)
      return undefined
    }
  }

  private ignore (peer: string, why: string): void {
    log.error('ignoring cache peer %s from now on: %s', peer, why)
    this.ignored.add(peer)
  }

  /**
   * Connected peers, those that said (identify) they speak the protocol first; the others are asked
   * too, since a peer's protocol list can be stale (a handler registered after identify) and one
   * that does not speak it costs a failed negotiation, not a timeout.
   */
  private async candidates (): Promise<PeerId[]> {
    const seen = new Set<string>()
    const known: PeerId[] = []
    const others: PeerId[] = []
    for (const connection of this.c.libp2p.getConnections()) {
      const id = connection.remotePeer
      const key = id.toString()
      if (seen.has(key) || this.ignored.has(key)) continue
      seen.add(key)
      const protocols: string[] = await this.c.libp2p.peerStore.get(id).then(p => p.protocols, () => [])
      if (protocols.includes(CACHE_PROTOCOL)) known.push(id)
      else others.push(id)
    }
    return [...known, ...others]
  }
}
