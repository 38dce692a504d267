/**
 * The member view kept across a restart of this node: when it last heard each member and what that
 * member said (its specs and tags). Without it a node restarted within `repin_grace` would not know
 * a holder that went silent just before the restart, see one holder too few, and re-allocate that
 * holder's share at once (an extra holder, and a second owner acting against the others). Only
 * what this node heard itself is kept, never what a peer said about another, and it is checked
 * again when read back as a peer's heartbeat is. Written once a round: the last-seen times as
 * one small record, what a member said only when it changed.
 */
import { decodeJson, encodeJson } from '../../repo/index.ts'
import { checkMessage, WIRE_VERSION } from './messages.ts'
import type { Members } from './members.ts'
import type { BatchOp, MetaStore } from '../../repo/index.ts'

const SEEN = '/ipfs-kit/seeding/members/seen'
const SAID = '/ipfs-kit/seeding/members/said/'

export class MemberLog {
  /** The last-seen record as last written (undefined before the first save). */
  private lastSeen: string | undefined

  constructor (private readonly meta: MetaStore) {}

  /** Put back the members last heard within TTL + grace (a heartbeat heard since wins). */
  async load (members: Members): Promise<void> {
    const raw = await this.meta.get(SEEN)
    // a torn record: the view is rebuilt from heartbeats, as on a first start
    const seen = raw == null ? {} : tryDecode(raw) ?? {}
    for (const [peerId, lastSeen] of Object.entries(seen)) {
      if (typeof lastSeen !== 'number' || !Number.isFinite(lastSeen)) continue
      const said = await this.meta.get(SAID + peerId)
      const message = said == null ? undefined : checkMessage(tryDecode(said))
      if (message?.op !== 'hb') continue
      members.restore({ peerId, lastSeen, free: message.free, specs: new Map(message.specs.map(s => [s.cid, s])), tags: message.tags, scores: {} })
    }
    // what members gone past the grace said is of no use any more
    const kept = new Set(members.all().map(m => m.peerId))
    const stale: BatchOp[] = []
    for await (const key of this.meta.keys(SAID)) if (!kept.has(key.slice(SAID.length))) stale.push({ type: 'del', key })
    await this.meta.batch(stale)
  }

  /** Write the last-seen times, and what changed since the last save. */
  async save (members: Members): Promise<void> {
    const ops: BatchOp[] = []
    const known = new Map(members.all().map(m => [m.peerId, m]))
    for (const peerId of members.takeChanged()) {
      const m = known.get(peerId)
      if (m == null) ops.push({ type: 'del', key: SAID + peerId })
      else ops.push({ type: 'put', key: SAID + peerId, value: encodeJson({ v: WIRE_VERSION, op: 'hb', free: m.free, specs: [...m.specs.values()], tags: m.tags }) })
    }
    const seen: Record<string, number> = {}
    for (const m of known.values()) seen[m.peerId] = m.lastSeen
    // a quiet cluster (no members, nothing heard) has nothing new to write each round
    const text = JSON.stringify(seen)
    if (text !== this.lastSeen) ops.push({ type: 'put', key: SEEN, value: encodeJson(seen) })
    await this.meta.batch(ops)
    this.lastSeen = text
  }
}

function tryDecode (bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = decodeJson(bytes)
    return typeof value === 'object' && value != null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}
