/**
 * The cluster as this node sees it: the members it heard a heartbeat from,
 * when, and what each said about itself. A member is live for
 * SEEDING_HEARTBEAT_TTL_INTERVALS heartbeat intervals after its last
 * heartbeat; its holdings still count for `repin_grace` after that (a restart
 * moves nothing), and then it is forgotten. Bounded by
 * SEEDING_MAX_MEMBERS: a heartbeat from a new peer past it is ignored.
 * The view outlives a restart of this node (member-log.ts keeps it).
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
  /** Members whose specs or tags changed (or that came or went) since the last `takeChanged`. */
  private readonly changed = new Set<string>()

  constructor (private readonly ttlMs: number, private readonly graceMs: number, private readonly now: () => number) {}

  heard (peerId: string, heartbeat: Pick<Heartbeat, 'free' | 'specs' | 'tags' | 'scores'>): boolean {
    if (!this.members.has(peerId) && this.members.size >= SEEDING_MAX_MEMBERS) return false
    const { free, specs, tags, scores } = heartbeat
    const before = this.members.get(peerId)
    const member = { peerId, lastSeen: this.now(), free, specs: new Map(specs.map(s => [s.cid, s])), tags, scores }
    this.members.set(peerId, member)
    if (before == null || !sameSaying(before, member)) this.changed.add(peerId)
    return true
  }

  /**
   * A member as this node last heard it before it restarted (member-log.ts): kept while still
   * counted, unless a heartbeat came first or the bound is reached.
   */
  restore (member: Member): void {
    if (this.members.has(member.peerId) || this.members.size >= SEEDING_MAX_MEMBERS) return
    if (this.now() - member.lastSeen > this.ttlMs + this.graceMs) return
    this.members.set(member.peerId, member)
  }

  /** Forget `peerId` at once (it said it is no member). */
  forget (peerId: string): void {
    if (this.members.delete(peerId)) this.changed.add(peerId)
  }

  /** Every member known (counted or not yet pruned). */
  all (): Member[] {
    return [...this.members.values()]
  }

  /** The peers whose specs or tags changed, or that were forgotten, since the last call. */
  takeChanged (): string[] {
    const out = [...this.changed]
    this.changed.clear()
    return out
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
    for (const m of [...this.members.values()]) {
      if (this.isCounted(m.peerId)) continue
      this.members.delete(m.peerId)
      this.changed.add(m.peerId)
    }
  }
}

/** The same tags and the same specs (free space and scores change every heartbeat; not compared). */
function sameSaying (a: Member, b: Member): boolean {
  if (a.specs.size !== b.specs.size) return false
  for (const [cid, spec] of a.specs) {
    const other = b.specs.get(cid)
    if (other == null || other.min !== spec.min || other.max !== spec.max || other.origin !== spec.origin) return false
  }
  const keys = Object.keys(a.tags)
  return keys.length === Object.keys(b.tags).length && keys.every(k => a.tags[k] === b.tags[k])
}
