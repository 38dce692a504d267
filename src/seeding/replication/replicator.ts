/**
 * Cluster replication: keep between `min` and `max` live holders of a root.
 * Every heartbeat interval each member tells the connected members what it
 * takes part in (specs it originated or holds), its free space, its
 * `node.tags` and its read score of those roots; a node that takes part in
 * nothing and accepts no replicas greets each peer once and is silent after. For each root one member —
 * the rendezvous owner among the live members — repairs: it asks members
 * (itself included) to pin (origin `replica`), spread across tag values and by
 * free space (allocate.ts), up to the target — `max` for a hot root, `min` for
 * a cold one, where it is between — and asks extras past the target to drop.
 * A holder not heard from keeps counting for `repin_grace` after its
 * heartbeats stop, so a restart within the grace moves nothing and a dead
 * holder causes one re-allocation by one owner. The origin's `pin rm` ends it:
 * the origin stops listing the spec and holders that hear the origin without
 * it drop their replica pin.
 */
import { statfs } from 'node:fs/promises'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { SEEDING_HEARTBEAT_TTL_INTERVALS, SEEDING_MAX_MEMBERS, SEEDING_MAX_REPLICATED_ROOTS, SEEDING_MESSAGE_TIMEOUT_MS, SEEDING_PROTOCOL } from '../../constants.ts'
import { InvalidInputError } from '../../errors.ts'
import { decodeJson, encodeJson } from '../../repo/index.ts'
import { HeldReplicas } from './held.ts'
import { Members } from './members.ts'
import { MemberLog } from './member-log.ts'
import { WIRE_VERSION } from './messages.ts'
import { Heartbeats } from './heartbeats.ts'
import { handleSeedingProtocol, sendSeedingMessage } from './protocol.ts'
import { rendezvousOwner } from './rendezvous.ts'
import { allocate, chooseDrops, targetHolders } from './allocate.ts'
import { preheatTargets, sendPreheat, servePreheat } from './preheat.ts'
import type { Candidate } from './allocate.ts'
import type { PreheatAsk, PreheatPull, PreheatResult } from './preheat.ts'
import type { Message, ReplicaSpec } from './messages.ts'
import type { SeedingSettings } from '../types.ts'
import type { PinIndex } from '../../pins/index.ts'
import type { MetaStore } from '../../repo/index.ts'
import type { IPFSKitStorage } from '../../storage/index.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

const log = logger('ipfs-kit:seeding:replication')
const OWNED = '/ipfs-kit/seeding/owned/'

export interface ReplicatorComponents {
  libp2p: Libp2p
  meta: MetaStore
  pins: PinIndex
  storage: Pick<IPFSKitStorage, 'pin' | 'unpin' | 'size'>
  dataDir: string
  /** A private cluster (node.swarm_key) or `seeding.accept_replicas`: members may make this node pin. */
  acceptReplicas: boolean
  /** Pull a model or dataset (preheat requests); absent: refused. */
  pull?: PreheatPull
  /** This node's `node.tags`. @default {} */
  tags?: Record<string, string>
  /** This node's decayed read score of a root (access statistics). @default 0 */
  score?(cid: string): number
  now?(): number
}

export type { PreheatResult }

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
  private readonly held: HeldReplicas
  /** Pin requests sent: cid → peer → until when it counts as a holder. */
  private readonly pending = new Map<string, Map<string, number>>()
  private readonly members: Members
  private readonly memberLog: MemberLog
  private readonly ttlMs: number
  private readonly now: () => number
  private timer: ReturnType<typeof setInterval> | undefined
  private ticking: Promise<void> | undefined
  private startedAt = 0
  private readonly heartbeats: Heartbeats
  /** Peers whose greeting said they are quiet: heard, no members (forgotten when they disconnect). */
  private readonly quiet = new Set<string>()
  private free = 0

  constructor (private readonly c: ReplicatorComponents, private readonly settings: SeedingSettings) {
    this.self = c.libp2p.peerId.toString()
    this.now = c.now ?? Date.now
    this.ttlMs = settings.heartbeat_interval * SEEDING_HEARTBEAT_TTL_INTERVALS
    this.members = new Members(this.ttlMs, settings.repin_grace, this.now)
    this.held = new HeldReplicas(c)
    this.memberLog = new MemberLog(c.meta)
    this.heartbeats = new Heartbeats(c.libp2p)
  }

  async start (): Promise<void> {
    for await (const [key, value] of this.c.meta.entries(OWNED)) this.owned.set(key.slice(OWNED.length), decodeJson(value))
    await this.held.load()
    // a restart within the grace still counts the holders heard before it (member-log.ts)
    await this.memberLog.load(this.members)
    await handleSeedingProtocol(this.c.libp2p, async (peer, message) => await this.receive(peer, message))
    this.heartbeats.start()
    this.c.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.startedAt = this.now()
    this.timer = setInterval(() => { void this.tick() }, this.settings.heartbeat_interval)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    if (this.timer != null) clearInterval(this.timer)
    this.heartbeats.stop()
    this.c.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    await this.ticking
    await this.c.libp2p.unhandle(SEEDING_PROTOCOL).catch(() => {})
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => { this.quiet.delete(evt.detail.toString()) }

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

  /** Have members pull a model or dataset now (preheat.ts); each member's outcome as it answers. */
  async preheat (ask: PreheatAsk, onPeer: (result: PreheatResult) => void): Promise<PreheatResult[]> {
    return await sendPreheat(this.c.libp2p, preheatTargets(this.members.live(), ask), ask, onPeer)
  }

  /** Live members now (not this node) with every tag in `tags`. */
  liveMembersTagged (tags: Readonly<Record<string, string>> = {}): number {
    return preheatTargets(this.members.live(), { count: 'all', tags }).length
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
      if (!await this.c.pins.isPinned(CID.parse(cid))) await this.forgetOwned(cid)
    }
    this.free = await freeBytes(this.c.dataDir) ?? 0
    const specs = [...this.owned.values(), ...this.held.specs()]
    const scores: Record<string, number> = {}
    for (const spec of specs) {
      const score = this.c.score?.(spec.cid) ?? 0
      if (score > 0) scores[spec.cid] = score
    }
    // a node that neither takes part in a replication nor accepts replicas has nothing to tell: it
    // greets each connected peer once, as quiet (a node that just started then hears every
    // connected peer, and its view converges), and is silent after (heartbeats.ts)
    const speaking = this.c.acceptReplicas || specs.length > 0
    const heartbeat: Message = { v: WIRE_VERSION, op: 'hb', free: this.free, specs, tags: this.c.tags ?? {}, scores, ...(speaking ? {} : { quiet: true as const }) }
    this.heartbeats.send(heartbeat, speaking)
    this.members.prune()
    await this.memberLog.save(this.members).catch((err: Error) => { log.error('could not keep the member view - %e', err) })

    for (const spec of [...this.held.values()]) {
      const cid = spec.cid
      if (this.quiet.has(spec.origin)) {
        log('the origin %s takes part in no replication any more: dropping the replica of %s', spec.origin, cid)
        await this.held.drop(cid)
        continue
      }
      const origin = this.members.get(spec.origin)
      if (origin == null || !this.members.isLive(spec.origin) || origin.lastSeen <= spec.since) continue
      if (!origin.specs.has(cid)) {
        log('the origin %s ended the replication of %s: dropping the replica', spec.origin, cid)
        await this.held.drop(cid)
      }
    }
    // views converge first: no member acts as an owner before it has heard every connected peer
    // (or the grace has passed), or a node just (re)started would re-allocate the roots of holders
    // whose heartbeats had not reached it yet (a load spike delays them past one TTL)
    // a silent node is no member in the others' views, so it is in no electorate but its own: it
    // must not act as an owner (two owners would allocate against each other)
    if (!speaking || !this.converged(now)) return
    // the owner is elected among the members still counted (heard within TTL + grace), not only the
    // live ones: a member whose heartbeats are late under load (a blip shorter than the grace) keeps
    // its ownership, so views that differ for a moment do not make two owners allocate and drop
    // against each other; a member gone past the grace is out, and the next owner repairs
    const electorate = [this.self, ...this.members.counted().map(m => m.peerId)]
    for (const spec of this.knownSpecs().values()) {
      if (rendezvousOwner(spec.cid, electorate) === this.self) await this.repair(spec)
    }
  }

  /** Up for a TTL and every connected peer heard from, or up for TTL + grace. */
  private converged (now: number): boolean {
    const up = now - this.startedAt
    if (up < this.ttlMs) return false
    if (up >= this.ttlMs + this.settings.repin_grace) return true
    return this.c.libp2p.getPeers().every(peer => this.members.get(peer.toString()) != null || this.quiet.has(peer.toString()))
  }

  private async repair (spec: ReplicaSpec): Promise<void> {
    const counted = this.holders(spec.cid, peer => this.members.isCounted(peer))
    const pending = this.pendingFor(spec.cid).filter(p => !counted.includes(p))
    const target = targetHolders(spec, counted.length + pending.length, this.heat(spec.cid, counted))
    const missing = target - counted.length - pending.length
    if (missing > 0) {
      const busy = new Set([...counted, ...pending])
      const candidates = this.candidates().filter(c => !busy.has(c.peerId))
      const placed = this.candidates(true).filter(c => busy.has(c.peerId))
      // in order of preference; one that refuses (over its replica_max_bytes, say) gives way to the next
      let accepted = 0
      for (const member of allocate(candidates, placed, candidates.length)) {
        if (accepted >= missing) break
        // rounds run one at a time, so nobody is asked twice while this waits for the answer
        const error = member.peerId === this.self
          ? await this.accept(this.self, spec)
          : await sendSeedingMessage(this.c.libp2p, peerIdFromString(member.peerId), { v: WIRE_VERSION, op: 'pin', spec }).catch((err: Error) => err.message)
        if (error != null) {
          log('owner %s: %s refused to hold %s: %s', this.self, member.peerId, spec.cid, error)
          continue
        }
        // a holder until its heartbeat lists the spec (or, past this, it is asked again)
        const forCid = this.pending.get(spec.cid) ?? new Map<string, number>()
        forCid.set(member.peerId, this.now() + this.ttlMs + SEEDING_MESSAGE_TIMEOUT_MS)
        this.pending.set(spec.cid, forCid)
        accepted++
        log('owner %s: %s accepted to hold %s (%d counted, %d pending, target %d)', this.self, member.peerId, spec.cid, counted.length, pending.length, target)
      }
      return
    }
    const live = this.holders(spec.cid, peer => this.members.isLive(peer))
    if (live.length > target && counted.length === live.length && pending.length === 0) {
      const holders = this.candidates(true).filter(c => live.includes(c.peerId))
      // the origin keeps its own pin; the owner drops its replica like any other holder
      for (const drop of chooseDrops(holders, new Set([spec.origin]), live.length - target)) {
        if (drop.peerId === this.self) {
          if (this.held.has(spec.cid)) await this.held.drop(spec.cid)
          continue
        }
        log('owner %s: %s drops %s (%d live, target %d)', this.self, drop.peerId, spec.cid, live.length, target)
        await sendSeedingMessage(this.c.libp2p, peerIdFromString(drop.peerId), { v: WIRE_VERSION, op: 'drop', spec }).catch(() => {})
      }
    }
  }

  /** The highest read score any holder (this node included) gave the root. */
  private heat (cid: string, holders: readonly string[]): number {
    let score = this.c.score?.(cid) ?? 0
    for (const peer of holders) score = Math.max(score, this.members.get(peer)?.scores[cid] ?? 0)
    return score
  }

  /** Live members as allocation candidates, this node among them when it accepts replicas (or `always`). */
  private candidates (always = false): Candidate[] {
    const out: Candidate[] = this.members.live().map(m => ({ peerId: m.peerId, free: m.free, tags: m.tags }))
    if (always || this.c.acceptReplicas) out.push({ peerId: this.self, free: this.free, tags: this.c.tags ?? {} })
    return out
  }

  private async receive (peer: string, message: Message): Promise<string | undefined> {
    if (message.op === 'hb') {
      if (message.quiet === true) {
        // heard, but no member: it holds nothing, accepts nothing and will say nothing more
        this.members.forget(peer)
        if (this.quiet.size >= SEEDING_MAX_MEMBERS && !this.quiet.has(peer)) return 'too many members'
        this.quiet.add(peer)
        return undefined
      }
      this.quiet.delete(peer)
      return this.members.heard(peer, message) ? undefined : 'too many members'
    }
    // a quiet peer (greeted, no member) may still ask for a preheat: it is what it would ask for
    if (!this.members.isCounted(peer) && !(message.op === 'preheat' && this.quiet.has(peer))) return 'not a member: no heartbeat heard from you'
    if (message.op === 'drop') {
      if (this.held.has(message.spec.cid)) await this.held.drop(message.spec.cid)
      return undefined
    }
    if (!this.c.acceptReplicas) return 'replicas refused: no private cluster (node.swarm_key) and seeding.accept_replicas is false'
    if (message.op === 'preheat') {
      if (this.c.pull == null) return 'preheat not served here'
      const free = await freeBytes(this.c.dataDir)
      return await servePreheat(this.c.pull, message, { maxBytes: this.settings.replica_max_bytes, freeBytes: free ?? Infinity })
    }
    return await this.accept(peer, message.spec)
  }

  /** Hold `spec` (pinned as `replica`) for `peer`; the refusal, or undefined once it is on its way. */
  private async accept (peer: string, spec: ReplicaSpec): Promise<string | undefined> {
    if (this.held.has(spec.cid)) return undefined
    if (this.owned.size + this.held.size >= SEEDING_MAX_REPLICATED_ROOTS) return 'too many replicated roots'
    const size = await this.c.storage.size(spec.cid, { signal: AbortSignal.timeout(SEEDING_MESSAGE_TIMEOUT_MS) }).catch(() => undefined)
    if (size == null) return 'root block not available'
    if (size > this.settings.replica_max_bytes) return `${size} bytes is over seeding.replica_max_bytes`
    // announced as held from now on (the pin may take a while), so the owner asks nobody else
    await this.held.add(peer, spec, this.now())
    return undefined
  }

  private async forgetOwned (cid: string): Promise<void> {
    this.owned.delete(cid)
    await this.c.meta.batch([{ type: 'del', key: OWNED + cid }])
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
    for (const spec of this.held.specs()) if (!specs.has(spec.cid)) specs.set(spec.cid, spec)
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

/** Free bytes on the disk of `dir`, or undefined when statfs fails. */
async function freeBytes (dir: string): Promise<number | undefined> {
  return await statfs(dir).then(s => Number(s.bavail) * Number(s.bsize)).catch(() => undefined)
}
