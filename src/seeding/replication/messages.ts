/**
 * The seeding protocol's messages, and their checks. A peer's message is
 * hostile until it passes them: sizes and counts bounded, every CID parsed,
 * replica counts within SEEDING_MAX_REPLICAS. What a heartbeat says is kept as
 * that peer's statement about itself (what it holds, its free space), never as
 * a fact about a third peer.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { parseCid } from '../../blocks/index.ts'
import { SEEDING_MAX_REPLICAS, SEEDING_MAX_REPLICATED_ROOTS } from '../../constants.ts'

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
}

/** From a root's repair owner: pin it (origin `replica`) or drop that pin. */
export interface PinRequest { v: number, op: 'pin' | 'drop', spec: ReplicaSpec }

export type Message = Heartbeat | PinRequest
export type Answer = { v: number, ok: true } | { v: number, error: string }

/** `{ min, max }` from `3`, `'3'` or `'2:4'` (`N` means exactly N). @throws Error naming what is wrong */
export function parseReplicas (value: unknown): { min: number, max: number } {
  if (typeof value === 'object' && value != null) return checkCounts((value as any).min, (value as any).max)
  const text = String(value)
  const match = /^(\d+)(?::(\d+))?$/.exec(text)
  if (match == null) throw new Error(`replicas must be N or MIN:MAX (like 3 or 2:4), got ${JSON.stringify(value)}`)
  const min = Number(match[1])
  return checkCounts(min, match[2] == null ? min : Number(match[2]))
}

function checkCounts (min: unknown, max: unknown): { min: number, max: number } {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || (min as number) < 1 || (max as number) < (min as number) || (max as number) > SEEDING_MAX_REPLICAS) {
    throw new Error(`replicas must satisfy 1 ≤ min ≤ max ≤ ${SEEDING_MAX_REPLICAS}, got ${String(min)}:${String(max)}`)
  }
  return { min: min as number, max: max as number }
}

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
    return { v: WIRE_VERSION, op: 'hb', free, specs: specs as ReplicaSpec[] }
  }
  if (m.op === 'pin' || m.op === 'drop') {
    const spec = checkSpec(m.spec)
    return spec == null ? undefined : { v: WIRE_VERSION, op: m.op, spec }
  }
  return undefined
}
