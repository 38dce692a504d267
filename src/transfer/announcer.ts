/**
 * Announcing the blocks that arrive here to the peers of our transfer
 * sessions (1.1.0 have streams), node-wide: one have stream per peer, opened
 * on the first announcement and closed after TRANSFER_HAVE_IDLE_MS without
 * one; blocks are gathered for TRANSFER_HAVE_FLUSH_MS and sent as frames of
 * at most TRANSFER_HAVE_BATCH CIDs. A peer that does not speak 1.1.0 is
 * remembered and never announced to. Queues are bounded
 * (TRANSFER_HAVE_QUEUE per peer, TRANSFER_HAVE_PEERS peers): a have that
 * does not fit is dropped, it was only a hint. A peer whose have stream
 * fails (gone, unreachable) is not announced to for TRANSFER_RETRY_DROPPED_MS.
 */
import { logger } from '@libp2p/logger'
import { TRANSFER_BLOCK_TIMEOUT_MS, TRANSFER_HAVE_BATCH, TRANSFER_HAVE_FLUSH_MS, TRANSFER_HAVE_IDLE_MS, TRANSFER_HAVE_PEERS, TRANSFER_HAVE_QUEUE, TRANSFER_PROTOCOL, TRANSFER_RETRY_DROPPED_MS } from '../constants.ts'
import { encodeHaves, writeFrame } from './wire.ts'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const log = logger('ipfs-kit:transfer:have')

interface Outbox {
  id: PeerId
  queue: CID[]
  /** A frame is owed even with nothing queued: the hello that says we are fetching. */
  hello: boolean
  stream?: Stream
  sending: boolean
  flushTimer?: ReturnType<typeof setTimeout>
  idleTimer?: ReturnType<typeof setTimeout>
}

export class HaveAnnouncer {
  private readonly outboxes = new Map<string, Outbox>()
  /** Peers that refused 1.1.0 (least recently refused first). */
  private readonly legacy = new Set<string>()
  /** Peers whose have stream failed (gone, unreachable), and until when nothing is announced to them. */
  private readonly failed = new Map<string, number>()
  private stopped = false

  constructor (private readonly libp2p: Libp2p) {}

  /** Whether `peer` is known not to speak 1.1.0. */
  isLegacy (peer: string): boolean {
    return this.legacy.has(peer)
  }

  /** Tell `peer` we hold `cids` (none: a hello, "I am fetching"). */
  announce (peer: PeerId, cids: CID[]): void {
    const key = peer.toString()
    if (this.stopped || this.legacy.has(key)) return
    const until = this.failed.get(key)
    if (until != null) {
      if (until > Date.now()) return
      this.failed.delete(key)
    }
    let box = this.outboxes.get(key)
    if (box == null) {
      box = { id: peer, queue: [], hello: true, sending: false }
      this.outboxes.set(key, box)
      while (this.outboxes.size > TRANSFER_HAVE_PEERS) this.close(this.outboxes.keys().next().value as string)
    }
    if (cids.length === 0) box.hello = true
    box.queue.push(...cids)
    if (box.queue.length > TRANSFER_HAVE_QUEUE) box.queue.splice(0, box.queue.length - TRANSFER_HAVE_QUEUE)
    const outbox = box
    outbox.flushTimer ??= setTimeout(() => { outbox.flushTimer = undefined; void this.flush(outbox) }, TRANSFER_HAVE_FLUSH_MS)
  }

  private async flush (box: Outbox): Promise<void> {
    if (box.sending || this.stopped) return
    box.sending = true
    clearTimeout(box.idleTimer)
    try {
      while ((box.queue.length > 0 || box.hello) && !this.stopped) {
        if (box.stream == null) {
          const signal = AbortSignal.timeout(TRANSFER_BLOCK_TIMEOUT_MS)
          box.stream = await this.libp2p.dialProtocol(box.id, TRANSFER_PROTOCOL, { signal })
        }
        const batch = box.queue.splice(0, TRANSFER_HAVE_BATCH)
        box.hello = false
        await writeFrame(box.stream, encodeHaves(batch), { signal: AbortSignal.timeout(TRANSFER_BLOCK_TIMEOUT_MS) })
        if (log.enabled) log('announced %d blocks to %s', batch.length, box.id)
      }
    } catch (err: any) {
      const key = box.id.toString()
      if (err.name === 'UnsupportedProtocolError') {
        this.legacy.add(key)
        while (this.legacy.size > TRANSFER_HAVE_PEERS) this.legacy.delete(this.legacy.values().next().value as string)
        this.close(key)
        return
      }
      // a peer that is gone would otherwise be dialled again every flush for as long as blocks land
      // (a group pull redialled a killed member every 100 ms): nothing is announced to it for a while
      log('announcing to %s failed - %s', key, err.message)
      box.stream?.abort(err)
      box.stream = undefined
      this.failed.set(key, Date.now() + TRANSFER_RETRY_DROPPED_MS)
      while (this.failed.size > TRANSFER_HAVE_PEERS) this.failed.delete(this.failed.keys().next().value as string)
      this.close(key)
      return
    } finally {
      box.sending = false
    }
    if (box.queue.length > 0) {
      box.flushTimer ??= setTimeout(() => { box.flushTimer = undefined; void this.flush(box) }, TRANSFER_HAVE_FLUSH_MS)
      return
    }
    box.idleTimer = setTimeout(() => { this.close(box.id.toString()) }, TRANSFER_HAVE_IDLE_MS)
    box.idleTimer.unref?.()
  }

  private close (key: string): void {
    const box = this.outboxes.get(key)
    if (box == null) return
    this.outboxes.delete(key)
    clearTimeout(box.flushTimer)
    clearTimeout(box.idleTimer)
    void box.stream?.close().catch(() => {})
  }

  stop (): void {
    this.stopped = true
    for (const key of [...this.outboxes.keys()]) this.close(key)
  }
}
