/**
 * Super-seeding, on the serving side: when a block was sent to one peer
 * moments ago (within TRANSFER_SUPERSEED_MS) and another peer asks for it, the
 * server first answers ELSEWHERE with the first peer's id, once per asker and
 * block; asked again, it sends the block. Many workers pulling one model from
 * one seed then fetch most pieces from each other, and the seed's upload goes
 * to pieces nobody has yet (bench:fanout). A lone requester is never deferred.
 *
 * With have-announcements (1.1.0) the seed also knows which peers hold a
 * block: asked for one that a connected peer other than the asker announced,
 * it answers ELSEWHERE with that peer the first time, as above. The seed's
 * upload then goes to blocks nobody announced, whoever asks. The server
 * consults this only for file bytes (raw leaves: a manifest or DAG node is
 * smaller than the referral's round trip, and every pull needs it first), and
 * only while its node is not itself fetching (a seed): a worker
 * mid-pull serves what it holds, since referring an asker to another worker
 * saves nothing and costs the asker a round trip.
 */
import { TRANSFER_SUPERSEED_MS, TRANSFER_SUPERSEED_TRACKED } from '../constants.ts'

export class SuperSeed {
  private readonly lastSent = new Map<string, { peer: string, at: number }>()
  private readonly deferred = new Map<string, number>()

  /**
   * The peer to send `requester` to instead of sending `block`, if any (remembering that it was):
   * the last peer it was sent to within TRANSFER_SUPERSEED_MS, else `announcedBy` (a connected peer
   * other than the requester that announced it).
   */
  elsewhere (block: string, requester: string, now = Date.now(), announcedBy?: string): string | undefined {
    const last = this.lastSent.get(block)
    const recent = last == null || last.peer === requester || now - last.at > TRANSFER_SUPERSEED_MS ? undefined : last.peer
    const other = recent ?? (announcedBy !== requester ? announcedBy : undefined)
    if (other == null) return undefined
    const key = `${requester}/${block}`
    if (this.deferred.has(key)) return undefined
    remember(this.deferred, key, now)
    return other
  }

  sent (block: string, to: string, now = Date.now()): void {
    this.lastSent.delete(block)
    remember(this.lastSent, block, { peer: to, at: now })
  }
}

/** Set `key` as the newest entry, dropping the oldest past TRANSFER_SUPERSEED_TRACKED. */
function remember<V> (map: Map<string, V>, key: string, value: V): void {
  map.set(key, value)
  if (map.size > TRANSFER_SUPERSEED_TRACKED) {
    const oldest = map.keys().next().value
    if (oldest != null) map.delete(oldest)
  }
}
