/**
 * The replicas this node holds for others: each spec it accepted, kept in
 * the meta store from the moment it accepts (so it is announced as held and
 * the owner asks nobody else while the pin fetches), pinned with origin
 * `replica` in the background, and dropped on request. A drop while the pin
 * is on its way aborts it, and a pin that lands after its drop is undone
 * (otherwise it would stay pinned with nobody counting it: an extra holder
 * for good). A pin a killed run did not finish is taken up again at load.
 */
import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { decodeJson, encodeJson } from '../../repo/index.ts'
import type { ReplicaSpec } from './messages.ts'
import type { PinIndex } from '../../pins/index.ts'
import type { MetaStore } from '../../repo/index.ts'
import type { IPFSKitStorage } from '../../storage/index.ts'

const log = logger('ipfs-kit:seeding:replication')
const HELD = '/ipfs-kit/seeding/replicas/'

export type HeldSpec = ReplicaSpec & { since: number }

export interface HeldReplicasComponents {
  meta: MetaStore
  pins: PinIndex
  storage: Pick<IPFSKitStorage, 'pin' | 'unpin'>
}

export class HeldReplicas {
  private readonly held = new Map<string, HeldSpec>()
  /** Replica pins on their way: cid → their abort. */
  private readonly pinning = new Map<string, AbortController>()

  constructor (private readonly c: HeldReplicasComponents) {}

  /** Read the held specs back; resume each one not pinned (as `replica`) yet. */
  async load (): Promise<void> {
    for await (const [key, value] of this.c.meta.entries(HELD)) this.held.set(key.slice(HELD.length), decodeJson(value))
    // killed while fetching, this node kept listing the spec as held, and nobody else will be asked for it
    for (const held of this.held.values()) {
      const record = await this.c.pins.get(CID.parse(held.cid))
      if (record?.origins.includes('replica') !== true) this.pin(held.origin, held)
    }
  }

  get size (): number { return this.held.size }

  has (cid: string): boolean { return this.held.has(cid) }

  values (): IterableIterator<HeldSpec> { return this.held.values() }

  /** The specs alone, without what this node keeps beside them. */
  specs (): ReplicaSpec[] { return [...this.held.values()].map(specOf) }

  /** Hold `spec` for `peer`: recorded now, pinned in the background. */
  async add (peer: string, spec: ReplicaSpec, now: number): Promise<void> {
    const held = { ...specOf(spec), since: now }
    this.held.set(spec.cid, held)
    await this.c.meta.batch([{ type: 'put', key: HELD + spec.cid, value: encodeJson(held) }])
    this.pin(peer, held)
  }

  /** Stop holding `cid`: its pin aborted if on its way, unpinned, forgotten. */
  async drop (cid: string): Promise<void> {
    this.pinning.get(cid)?.abort(new Error('the replica was dropped'))
    await this.c.storage.unpin(cid, { origin: 'replica' })
    await this.forget(cid)
  }

  private async forget (cid: string): Promise<void> {
    this.held.delete(cid)
    await this.c.meta.batch([{ type: 'del', key: HELD + cid }])
  }

  /** Pin a held spec (origin `replica`) in the background; a failure forgets it, so the owner asks another member. */
  private pin (peer: string, held: HeldSpec): void {
    const pinning = new AbortController()
    this.pinning.set(held.cid, pinning)
    void this.c.storage.pin(held.cid, { origin: 'replica', signal: pinning.signal }).then(async pinned => {
      if (!pinned) throw new Error('content not available')
      if (this.held.get(held.cid) !== held) await this.c.storage.unpin(held.cid, { origin: 'replica' })
    }).catch(async (err: Error) => {
      if (pinning.signal.aborted) return
      log('could not pin %s for %s - %e', held.cid, peer, err)
      if (this.held.get(held.cid) === held) await this.forget(held.cid)
    }).catch((err: Error) => { log('could not undo the replica pin of %s - %e', held.cid, err) }).finally(() => {
      if (this.pinning.get(held.cid) === pinning) this.pinning.delete(held.cid)
    })
  }
}

/** The spec alone, without what this node keeps beside it. */
export function specOf (held: ReplicaSpec): ReplicaSpec {
  return { cid: held.cid, min: held.min, max: held.max, origin: held.origin }
}
