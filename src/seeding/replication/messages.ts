/**
 * The seeding protocol's messages, and their checks. A peer's message is
 * hostile until it passes them: sizes and counts bounded, every CID parsed,
 * replica counts within SEEDING_MAX_REPLICAS. What a heartbeat says is kept as
 * that peer's statement about itself (what it holds, its free space), never as
 * a fact about a third peer.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { parseCid } from '../../blocks/index.ts'
import { SEEDING_MAX_REPLICATED_ROOTS } from '../../constants.ts'
import { checkReplicaCounts as checkCounts } from '../../pins/index.ts'
import { checkTags } from '../../config/index.ts'

export const WIRE_VERSION = 1

/** A replication: keep between `min` and `max` live holders of `cid`; `origin` is the peer that asked (its `pin rm` ends it). */
export interface ReplicaSpec {
  cid: string
  min: number
  max: number
  origin: string
}

/** Every heartbeat interval, to each connected member: what the sender holds and wants replicated. */
export interface Heartbeat {
  v: number
  op: 'hb'
  /** Free bytes on the sender's disk (allocation prefers more). */
  free: number
  /** Replications the sender takes part in: as their origin, or as a holder. */
  specs: ReplicaSpec[]
  /** The sender's `node.tags` (allocation spreads holders across their values); `{}` when absent or malformed. */
  tags: Record<string, string>
  /** The sender's decayed read score of each of its specs' roots (0 left out): hot roots get `max` holders. */
  scores: Record<string, number>
  /**
   * The sender takes part in no replication and accepts none: this is its one greeting, and it is
   * silent after. It is heard (a node just started need not wait for it) but is no member: not a
   * candidate, not an owner. Peers from before it ignore the field and count it as a member until
   * its heartbeat expires.
   */
  quiet?: true
}

/** From a root's repair owner: pin it (origin `replica`) or drop that pin. */
export interface PinRequest { v: number, op: 'pin' | 'drop', spec: ReplicaSpec }

/** What a preheat pulls: a model (pinned as `model`) or a dataset (pinned as `dataset`). */
export type PreheatKind = 'model' | 'dataset'

/** From `model preheat` / `dataset preheat`: pull (and so pin) this model or dataset now. */
export interface PreheatRequest { v: number, op: 'preheat', name: string, revision?: string, kind: PreheatKind }

export type Message = Heartbeat | PinRequest | PreheatRequest

/** A model name or revision as the models API takes them, bounded; models/ checks them again. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
export type Answer = { v: number, ok: true } | { v: number, error: string }

/** A spec as a peer sent it, checked; undefined when anything is off. */
export function checkSpec (raw: unknown): ReplicaSpec | undefined {
  if (typeof raw !== 'object' || raw == null) return undefined
  const { cid, min, max, origin } = raw as Record<string, unknown>
  try {
    const counts = checkCounts(min, max)
    if (typeof cid !== 'string' || typeof origin !== 'string') return undefined
    peerIdFromString(origin)
    return { cid: parseCid(cid).toString(), ...counts, origin }
  } catch {
    return undefined
  }
}

/** A message as a peer sent it, checked; undefined when it is not one we know. */
export function checkMessage (raw: unknown): Message | undefined {
  if (typeof raw !== 'object' || raw == null) return undefined
  const m = raw as Record<string, unknown>
  if (m.op === 'hb') {
    if (!Array.isArray(m.specs) || m.specs.length > SEEDING_MAX_REPLICATED_ROOTS) return undefined
    const free = typeof m.free === 'number' && Number.isFinite(m.free) && m.free >= 0 ? m.free : 0
    const specs = m.specs.map(checkSpec)
    if (specs.some(s => s == null)) return undefined
    const checked = specs as ReplicaSpec[]
    const heartbeat: Heartbeat = { v: WIRE_VERSION, op: 'hb', free, specs: checked, tags: checkTags(m.tags), scores: checkScores(m.scores, checked) }
    // a quiet node has nothing to replicate: a greeting that lists specs is an ordinary heartbeat
    if (m.quiet === true && checked.length === 0) heartbeat.quiet = true
    return heartbeat
  }
  if (m.op === 'preheat') {
    if (typeof m.name !== 'string' || !MODEL_NAME.test(m.name)) return undefined
    if (m.revision != null && (typeof m.revision !== 'string' || !REVISION.test(m.revision))) return undefined
    // a peer from before datasets could be preheated sends no kind: a model
    const kind = m.kind ?? 'model'
    if (kind !== 'model' && kind !== 'dataset') return undefined
    return m.revision == null ? { v: WIRE_VERSION, op: 'preheat', name: m.name, kind } : { v: WIRE_VERSION, op: 'preheat', name: m.name, revision: m.revision as string, kind }
  }
  if (m.op === 'pin' || m.op === 'drop') {
    const spec = checkSpec(m.spec)
    return spec == null ? undefined : { v: WIRE_VERSION, op: m.op, spec }
  }
  return undefined
}

/** Scores of the sender's own specs only, finite and not negative; `{}` when anything is off. */
function checkScores (raw: unknown, specs: readonly ReplicaSpec[]): Record<string, number> {
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) return {}
  const cids = new Set(specs.map(s => s.cid))
  const entries = Object.entries(raw)
  if (entries.length > cids.size) return {}
  const out: Record<string, number> = {}
  for (const [cid, score] of entries) {
    if (!cids.has(cid) || typeof score !== 'number' || !Number.isFinite(score) || score < 0) return {}
    out[cid] = score
  }
  return out
}
