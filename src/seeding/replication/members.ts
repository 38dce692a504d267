/**
 * The cluster as this node sees it: the members it heard a heartbeat from,
 * when, and what each said about itself. A member is live for
 * SEEDING_HEARTBEAT_TTL_INTERVALS heartbeat intervals after its last
 * heartbeat; its holdings still count for `repin_grace` after that (a restart
 * moves nothing), and then it is forgotten. Bounded by
 * SEEDING_MAX_MEMBERS: a heartbeat from a new peer past it is ignored.
 */
import { SEEDING_MAX_MEMBERS } from '../../constants.ts'
import type { Heartbeat, ReplicaSpec } from './messages.ts'

export interface Member {
  peerId: string
  lastSeen: number
  free: number
  specs: Map<string, ReplicaSpec>
  /** What it said about itself: its `node.tags` and its read score per root it holds. */
  tags: Record<string, string>
  scores: Record<string, number>
}

export class Members {
  private readonly members = new Map<string, Member>()

  constructor (private readonly ttlMs: number, private readonly graceMs: number, private readonly now: () => number) {}

  heard (peerId: string, heartbeat: Pick<Heartbeat, 'free' | 'specs' | 'tags' | 'scores'>): boolean {
    if (!this.members.has(peerId) && this.members.size >= SEEDING_MAX_MEMBERS) return false
    const { free, specs, tags, scores } = heartbeat
    this.members.set(peerId, { peerId, lastSeen: this.now(), free, specs: new Map(specs.map(s => [s.cid, s])), tags, scores })
    return true
  }

  isLive (peerId: string): boolean {
    const m = this.members.get(peerId)
    return m != null && this.now() - m.lastSeen <= this.ttlMs
  }

  /** Heard within TTL + grace: its holdings still count. */
  isCounted (peerId: string): boolean {
    const m = this.members.get(peerId)
    return m != null && this.now() - m.lastSeen <= this.ttlMs + this.graceMs
  }

  get (peerId: string): Member | undefined {
    return this.members.get(peerId)
  }

  live (): Member[] {
    return [...this.members.values()].filter(m => this.isLive(m.peerId))
  }

  counted (): Member[] {
    return [...this.members.values()].filter(m => this.isCounted(m.peerId))
  }

  /** Forget members past TTL + grace. */
  prune (): void {
    for (const m of [...this.members.values()]) if (!this.isCounted(m.peerId)) this.members.delete(m.peerId)
  }
}
