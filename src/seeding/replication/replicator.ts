/**
 * Cluster replication: keep between `min` and `max` live holders of a root.
 * Every heartbeat interval each member tells the connected members what it
 * takes part in (specs it originated or holds) and its free space. For each
 * root one member — the rendezvous owner among the live members — repairs:
 * it asks members with the most free space to pin (origin `replica`) until
 * `max` hold it, and asks extras to drop past `max`. A holder not heard from
 * keeps counting for `repin_grace` after its heartbeats stop, so a restart
 * within the grace moves nothing and a dead holder causes one re-allocation
 * by one owner. The origin's `pin rm` ends it: the origin stops listing the
 * spec and holders that hear the origin without it drop their replica pin.
 */
import { statfs } from 'node:fs/promises'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { SEEDING_HEARTBEAT_TTL_INTERVALS, SEEDING_MAX_REPLICATED_ROOTS, SEEDING_MESSAGE_TIMEOUT_MS, SEEDING_PREHEAT_TIMEOUT_MS, SEEDING_PROTOCOL } from '../../constants.ts'
import { InvalidInputError } from '../../errors.ts'
import { decodeJson, encodeJson } from '../../repo/index.ts'
import { Members } from './members.ts'
import { WIRE_VERSION } from './messages.ts'
import { handleSeedingProtocol, sendSeedingMessage } from './protocol.ts'
import { rendezvousOwner } from './rendezvous.ts'
import type { Message, ReplicaSpec } from './messages.ts'
import type { SeedingSettings } from '../types.ts'
import type { PinIndex } from '../../pins/index.ts'
import type { MetaStore } from '../../repo/index.ts'
import type { IPFSKitStorage } from '../../storage/index.ts'
import type { Libp2p } from '@libp2p/interface'

const log = logger('ipfs-kit:seeding:replication')
const OWNED = '/ipfs-kit/seeding/owned/'
const HELD = '/ipfs-kit/seeding/replicas/'

export interface ReplicatorComponents {
  libp2p: Libp2p
  meta: MetaStore
  pins: PinIndex
  storage: Pick<IPFSKitStorage, 'pin' | 'unpin' | 'size'>
  dataDir: string
  /** A private cluster (node.swarm_key) or `seeding.accept_replicas`: members may make this node pin. */
  acceptReplicas: boolean
  /** Pull a model (preheat requests); absent: refused. */
  pull?(name: string, revision: string | undefined, signal: AbortSignal): Promise<void>
  now?(): number
}

/** One member's outcome of a preheat. */
export interface PreheatResult {
  peerId: string
  ok: boolean
  /** Why it did not pull (its refusal or failure, or no answer). */
  error?: string
}

/** One row of `replication ls`. */
export interface ReplicationEntry {
  cid: string
  min: number
  max: number
  /** Peer ids holding it (pinned) and live now. */
  holders: string[]
  /** `repairing`: a holder is silent but within the grace, or a pin request is on its way. */
  state: 'ok' | 'under' | 'over' | 'repairing'
}

export class Replicator {
  private readonly self: string
  private readonly owned = new Map<string, ReplicaSpec>()
  private readonly held = new Map<string, ReplicaSpec & { since: number }>()
  /** Pin requests sent: cid → peer → until when it counts as a holder. */
  private readonly pending = new Map<string, Map<string, number>>()
  private readonly members: Members
  private readonly ttlMs: number
  private readonly now: () => number
  private timer: ReturnType<typeof setInterval> | undefined
  private ticking: Promise<void> | undefined
  private startedAt = 0
  private readonly sending = new Set<string>()
  private free = 0

  constructor (private readonly c: ReplicatorComponents, private readonly settings: SeedingSettings) {
    this.self = c.libp2p.peerId.toString()
    this.now = c.now ?? Date.now
    this.ttlMs = settings.heartbeat_interval * SEEDING_HEARTBEAT_TTL_INTERVALS
    this.members = new Members(this.ttlMs, settings.repin_grace, this.now)
  }

  async start (): Promise<void> {
    for await (const [key, value] of this.c.meta.entries(OWNED)) this.owned.set(key.slice(OWNED.length), decodeJson(value))
    for await (const [key, value] of this.c.meta.entries(HELD)) this.held.set(key.slice(HELD.length), decodeJson(value))
    await handleSeedingProtocol(this.c.libp2p, async (peer, message) => await this.receive(peer, message))
    this.startedAt = this.now()
    this.timer = setInterval(() => { void this.tick() }, this.settings.heartbeat_interval)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    if (this.timer != null) clearInterval(this.timer)
    await this.ticking
    await this.c.libp2p.unhandle(SEEDING_PROTOCOL).catch(() => {})
  }

  /** Record that this node asks the cluster to keep `cid` (pinned here already) on min..max holders. */
  async replicate (cid: string, replicas: { min: number, max: number }): Promise<void> {
    if (!this.owned.has(cid) && this.owned.size + this.held.size >= SEEDING_MAX_REPLICATED_ROOTS) {
      throw new InvalidInputError(`this node takes part in ${SEEDING_MAX_REPLICATED_ROOTS} replicated roots already`, 'unpin a replicated root first (SEEDING_MAX_REPLICATED_ROOTS)')
    }
    const spec: ReplicaSpec = { cid, ...replicas, origin: this.self }
    this.owned.set(cid, spec)
    await this.c.meta.batch([{ type: 'put', key: OWNED + cid, value: encodeJson(spec) }])
    void this.tick()
  }

  /**
   * Have `count` live members (most free space first; all of them for 'all') pull a model, at once;
   * each member's outcome as it answers.
   */
  async preheat (name: string, revision: string | undefined, count: number | 'all', onPeer: (result: PreheatResult) => void): Promise<PreheatResult[]> {
    const members = this.members.live().sort((a, b) => b.free - a.free || a.peerId.localeCompare(b.peerId))
    const targets = count === 'all' ? members : members.slice(0, count)
    const message: Message = revision == null ? { v: WIRE_VERSION, op: 'preheat', name } : { v: WIRE_VERSION, op: 'preheat', name, revision }
    return await Promise.all(targets.map(async member => {
      const error = await sendSeedingMessage(this.c.libp2p, peerIdFromString(member.peerId), message, SEEDING_PREHEAT_TIMEOUT_MS).catch((err: Error) => err.message)
      const result: PreheatResult = error == null ? { peerId: member.peerId, ok: true } : { peerId: member.peerId, ok: false, error }
      onPeer(result)
      return result
    }))
  }

  /** Live members now (not this node). */
  liveMembers (): number {
    return this.members.live().length
  }

  /** Every replication this node knows of, with its live holders and state. */
  list (): ReplicationEntry[] {
    const out: ReplicationEntry[] = []
    for (const spec of this.knownSpecs().values()) {
      const live = this.holders(spec.cid, peer => this.members.isLive(peer))
      const counted = this.holders(spec.cid, peer => this.members.isCounted(peer))
      const pending = this.pendingFor(spec.cid).filter(p => !counted.includes(p))
      const state = counted.length > live.length || pending.length > 0 ? 'repairing' : live.length < spec.min ? 'under' : live.length > spec.max ? 'over' : 'ok'
      out.push({ cid: spec.cid, min: spec.min, max: spec.max, holders: live.sort(), state })
    }
    return out.sort((a, b) => a.cid.localeCompare(b.cid))
  }

  /** One round: heartbeats out, ended replications dropped, repairs for the roots this node owns. */
  async tick (): Promise<void> {
    if (this.ticking != null) return await this.ticking
    this.ticking = this.round().catch(err => { log.error('replication round failed - %e', err) }).finally(() => { this.ticking = undefined })
    await this.ticking
  }

  private async round (): Promise<void> {
    const now = this.now()
    for (const cid of [...this.owned.keys()]) {
      // the origin's pin rm ends the replication
      if (!await this.c.pins.isPinned(CID.parse(cid))) await this.forget(OWNED, this.owned, cid)
    }
    this.free = await statfs(this.c.dataDir).then(s => Number(s.bavail) * Number(s.bsize)).catch(() => 0)
    const specs = [...this.owned.values(), ...[...this.held.values()].map(specOf)]
    const heartbeat: Message = { v: WIRE_VERSION, op: 'hb', free: this.free, specs }
    for (const peer of this.c.libp2p.getPeers()) {
      // not awaited: a slow peer must not delay the heartbeats of the others (one in flight per peer)
      const key = peer.toString()
      if (this.sending.has(key)) continue
      this.sending.add(key)
      sendSeedingMessage(this.c.libp2p, peer, heartbeat).catch(() => {}).finally(() => this.sending.delete(key))
    }
    this.members.prune()

    for (const [cid, spec] of [...this.held]) {
      const origin = this.members.get(spec.origin)
      if (origin == null || !this.members.isLive(spec.origin) || origin.lastSeen <= spec.since) continue
      if (!origin.specs.has(cid)) {
        log('the origin %s ended the replication of %s: dropping the replica', spec.origin, cid)
        await this.dropHeld(cid)
      }
    }
    // views converge over the first TTL: no member acts as an owner before
    if (now - this.startedAt < this.ttlMs) return
    const live = [this.self, ...this.members.live().map(m => m.peerId)]
    for (const spec of this.knownSpecs().values()) {
      if (rendezvousOwner(spec.cid, live) === this.self) await this.repair(spec)
    }
  }

  private async repair (spec: ReplicaSpec): Promise<void> {
    const counted = this.holders(spec.cid, peer => this.members.isCounted(peer))
    const pending = this.pendingFor(spec.cid).filter(p => !counted.includes(p))
    const missing = spec.max - counted.length - pending.length
    if (missing > 0) {
      const busy = new Set([...counted, ...pending])
      const candidates = this.members.live().filter(m => !busy.has(m.peerId)).sort((a, b) => b.free - a.free || a.peerId.localeCompare(b.peerId))
      for (const member of candidates.slice(0, missing)) {
        // rounds run one at a time, so nobody is asked twice while this waits for the answer
        const error = await sendSeedingMessage(this.c.libp2p, peerIdFromString(member.peerId), { v: WIRE_VERSION, op: 'pin', spec }).catch((err: Error) => err.message)
        if (error != null) {
          log('%s refused to hold %s: %s', member.peerId, spec.cid, error)
          continue
        }
        // a holder until its heartbeat lists the spec (or, past this, it is asked again)
        const forCid = this.pending.get(spec.cid) ?? new Map<string, number>()
        forCid.set(member.peerId, this.now() + this.ttlMs + SEEDING_MESSAGE_TIMEOUT_MS)
        this.pending.set(spec.cid, forCid)
        log('%s accepted to hold %s', member.peerId, spec.cid)
      }
      return
    }
    const live = this.holders(spec.cid, peer => this.members.isLive(peer))
    if (live.length > spec.max && counted.length === live.length) {
      const extras = live.filter(p => p !== spec.origin && p !== this.self)
        .sort((a, b) => (this.members.get(a)?.free ?? 0) - (this.members.get(b)?.free ?? 0))
        .slice(0, live.length - spec.max)
      for (const peer of extras) {
        await sendSeedingMessage(this.c.libp2p, peerIdFromString(peer), { v: WIRE_VERSION, op: 'drop', spec }).catch(() => {})
      }
    }
  }

  private async receive (peer: string, message: Message): Promise<string | undefined> {
    if (message.op === 'hb') {
      return this.members.heard(peer, message.free, message.specs) ? undefined : 'too many members'
    }
    if (!this.members.isLive(peer)) return 'not a member: no heartbeat heard from you'
    if (message.op === 'drop') {
      if (this.held.has(message.spec.cid)) await this.dropHeld(message.spec.cid)
      return undefined
    }
    if (!this.c.acceptReplicas) return 'replicas refused: no private cluster (node.swarm_key) and seeding.accept_replicas is false'
    if (message.op === 'preheat') {
      if (this.c.pull == null) return 'preheat not served here'
      try {
        await this.c.pull(message.name, message.revision, AbortSignal.timeout(SEEDING_PREHEAT_TIMEOUT_MS))
        return undefined
      } catch (err: any) {
        return `${String(err.name)}: ${String(err.message)}`.slice(0, 512)
      }
    }
    const { spec } = message
    if (this.held.has(spec.cid)) return undefined
    if (this.owned.size + this.held.size >= SEEDING_MAX_REPLICATED_ROOTS) return 'too many replicated roots'
    const size = await this.c.storage.size(spec.cid, { signal: AbortSignal.timeout(SEEDING_MESSAGE_TIMEOUT_MS) }).catch(() => undefined)
    if (size == null) return 'root block not available'
    if (size > this.settings.replica_max_bytes) return `${size} bytes is over seeding.replica_max_bytes`
    // announced as held from now on (the pin may take a while), so the owner asks nobody else
    const held = { ...spec, since: this.now() }
    this.held.set(spec.cid, held)
    await this.c.meta.batch([{ type: 'put', key: HELD + spec.cid, value: encodeJson(held) }])
    void this.c.storage.pin(spec.cid, { origin: 'replica' }).then(async pinned => {
      if (!pinned) throw new Error('content not available')
    }).catch(async (err: Error) => {
      log('could not pin %s for %s - %e', spec.cid, peer, err)
      await this.forget(HELD, this.held, spec.cid)
    })
    return undefined
  }

  private async dropHeld (cid: string): Promise<void> {
    await this.c.storage.unpin(cid, { origin: 'replica' })
    await this.forget(HELD, this.held, cid)
  }

  private async forget (prefix: string, map: Map<string, unknown>, cid: string): Promise<void> {
    map.delete(cid)
    await this.c.meta.batch([{ type: 'del', key: prefix + cid }])
  }

  /** Peers holding `cid` that `include` accepts, this node first when it holds it. */
  private holders (cid: string, include: (peer: string) => boolean): string[] {
    const out: string[] = []
    if (this.owned.has(cid) || this.held.has(cid)) out.push(this.self)
    for (const m of this.members.counted()) if (include(m.peerId) && m.specs.has(cid)) out.push(m.peerId)
    return out
  }

  private pendingFor (cid: string): string[] {
    const forCid = this.pending.get(cid)
    if (forCid == null) return []
    const now = this.now()
    for (const [peer, until] of forCid) if (until < now) forCid.delete(peer)
    return [...forCid.keys()]
  }

  /**
   * The replications this node knows of: its own, those it holds, and those live members take part
   * in. When a spec's origin is a live member, only the origin's own statement counts.
   */
  private knownSpecs (): Map<string, ReplicaSpec> {
    const specs = new Map<string, ReplicaSpec>()
    for (const spec of this.owned.values()) specs.set(spec.cid, spec)
    for (const spec of [...this.held.values()].map(specOf)) if (!specs.has(spec.cid)) specs.set(spec.cid, spec)
    for (const m of this.members.counted()) {
      for (const spec of m.specs.values()) {
        if (specs.has(spec.cid)) continue
        const origin = this.members.get(spec.origin)
        if (spec.origin === this.self) continue // ours, and we no longer list it: ended
        if (origin != null && this.members.isLive(spec.origin) && !origin.specs.has(spec.cid)) continue
        specs.set(spec.cid, spec)
      }
    }
    return specs
  }
}

/** The spec alone, without what this node keeps beside it. */
function specOf (held: ReplicaSpec): ReplicaSpec {
  return { cid: held.cid, min: held.min, max: held.max, origin: held.origin }
}
