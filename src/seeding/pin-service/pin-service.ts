/**
 * The IPFS Pinning Service API's requests (kit.seeding.pinService), backed by
 * this node's pins and the cluster's replication: a request pins its CID here
 * with origin `service` and, with `meta.replicas` (or `seeding.service_replicas`),
 * asks the cluster for that many holders. Requests are records in LevelDB
 * (`/ipfs-kit/seeding/pin-requests/<requestid>`), so their ids and states
 * survive a restart; one still queued or pinning then is pinned again.
 * PIN_SERVICE_CONCURRENCY pins run at once, the rest wait `queued`.
 * A root keeps its `service` origin while any request that is not `failed`
 * names it; a replace drops the old root's origin only once the new pin has
 * settled, so blocks both share are never collected in between.
 */
import { randomUUID } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { PIN_SERVICE_CONCURRENCY, PIN_SERVICE_DIAL_TIMEOUT_MS, PIN_SERVICE_MAX_REQUESTS } from '../../constants.ts'
import { InvalidInputError } from '../../errors.ts'
import { decodeJson, encodeJson } from '../../repo/index.ts'
import { checkPin, matches } from './checks.ts'
import type { PinRequest, PinRequestPin, PinRequestQuery, PinRequestResults, PinRequestStatus } from './types.ts'
import type { ReplicationEntry } from '../replication/index.ts'
import type { Lifecycle } from '../../lifecycle.ts'
import type { BatchOp, MetaStore } from '../../repo/index.ts'
import type { IPFSKitStorage } from '../../storage/index.ts'

const log = logger('ipfs-kit:seeding:pin-service')
const PREFIX = '/ipfs-kit/seeding/pin-requests/'

export interface PinServiceComponents {
  meta: MetaStore
  storage: Pick<IPFSKitStorage, 'pin' | 'unpin'>
  /** Dial a client's `origins` (best effort); absent offline. */
  dial?(address: string, signal: AbortSignal): Promise<void>
  /** The cluster's replications, for `info`. */
  replications?(): ReplicationEntry[]
  /** `seeding.service_replicas`: the holders a request without `meta.replicas` asks for; null: a pin here only. */
  defaultReplicas: string | null
  lifecycle?: Lifecycle
  now?(): number
}

interface StoredRequest {
  requestid: string
  status: PinRequestStatus
  created: number
  pin: PinRequestPin
  /** Why it failed. */
  error?: string
  /** A replaced request's CID whose `service` origin goes once this request's pin settles. */
  replaces?: string
}

export class PinService {
  private readonly requests = new Map<string, StoredRequest>()
  private readonly queue: string[] = []
  private readonly running = new Map<string, AbortController>()
  private readonly idle = new Set<() => void>()
  private lastCreated = 0
  private stopped = false
  private readonly now: () => number

  constructor (private readonly c: PinServiceComponents) {
    this.now = c.now ?? Date.now
  }

  async start (): Promise<void> {
    for await (const [key, value] of this.c.meta.entries(PREFIX)) {
      try {
        const request = decodeJson<StoredRequest>(value)
        this.requests.set(request.requestid, request)
        this.lastCreated = Math.max(this.lastCreated, request.created)
      } catch {
        await this.c.meta.batch([{ type: 'del', key }])
      }
    }
    // interrupted by the restart: pinned again (a pin of what is pinned already is quick)
    const unfinished = [...this.requests.values()].filter(r => r.status === 'queued' || r.status === 'pinning').sort((a, b) => a.created - b.created)
    for (const request of unfinished) {
      request.status = 'queued'
      this.queue.push(request.requestid)
    }
    this.pump()
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.queue.length = 0
    for (const controller of this.running.values()) controller.abort()
    await this.settled()
  }

  /**
   * Ask for `pin` (checked: see checks.ts); resolves at once with the request, `queued`.
   *
   * @throws InvalidInputError for a malformed pin, or past PIN_SERVICE_MAX_REQUESTS requests
   * @example
   * const { requestid } = await kit.seeding.pinService.add({ cid, name: 'weights', meta: { replicas: '3' } })
   */
  async add (pin: unknown): Promise<PinRequest> {
    const checked = checkPin(pin)
    this.c.lifecycle?.assertRunning('pinService.add')
    return this.view(await this.create(checked))
  }

  /** One request, or undefined when there is none with that id. */
  get (requestid: string): PinRequest | undefined {
    this.c.lifecycle?.assertRunning('pinService.get')
    const request = this.requests.get(requestid)
    return request == null ? undefined : this.view(request)
  }

  /** The requests passing `query`'s filters, newest first, at most `limit` (default 10) of `count`. */
  list (query: PinRequestQuery = {}): PinRequestResults {
    this.c.lifecycle?.assertRunning('pinService.list')
    const limit = query.limit ?? 10
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidInputError(`limit must be 1 to 1000, got ${limit}`, 'e.g. limit=10')
    const all = [...this.requests.values()].filter(r => matches(r, query)).sort((a, b) => b.created - a.created)
    return { count: all.length, results: all.slice(0, limit).map(r => this.view(r)) }
  }

  /**
   * Replace request `requestid` by a new one for `pin` (a new id); the old root loses its
   * `service` origin only once the new pin settles. Undefined when there is no such request.
   */
  async replace (requestid: string, pin: unknown): Promise<PinRequest | undefined> {
    const checked = checkPin(pin)
    this.c.lifecycle?.assertRunning('pinService.replace')
    const old = this.requests.get(requestid)
    if (old == null) return undefined
    const replaces = old.pin.cid === checked.cid ? undefined : old.pin.cid
    const created = await this.create(checked, replaces, old)
    return this.view(created)
  }

  /** Remove a request (a pin on its way is stopped); false when there was none. */
  async remove (requestid: string): Promise<boolean> {
    this.c.lifecycle?.assertRunning('pinService.remove')
    const request = this.requests.get(requestid)
    if (request == null) return false
    this.requests.delete(requestid)
    this.running.get(requestid)?.abort()
    await this.c.meta.batch([{ type: 'del', key: PREFIX + requestid }])
    if (request.replaces != null) await this.release(request.replaces)
    await this.release(request.pin.cid)
    return true
  }

  /** Resolves when no pin is running or queued. */
  async settled (): Promise<void> {
    while (this.running.size > 0 || this.queue.length > 0) {
      await new Promise<void>(resolve => this.idle.add(resolve))
    }
  }

  private async create (pin: PinRequestPin, replaces?: string, old?: StoredRequest): Promise<StoredRequest> {
    if (this.requests.size - (old == null ? 0 : 1) >= PIN_SERVICE_MAX_REQUESTS) {
      throw new InvalidInputError(`this node keeps ${PIN_SERVICE_MAX_REQUESTS} pin requests already`, 'delete requests you no longer need (DELETE /pins/{requestid})')
    }
    // unique and increasing: the spec pages by `created`
    this.lastCreated = Math.max(this.now(), this.lastCreated + 1)
    const request: StoredRequest = { requestid: randomUUID(), status: 'queued', created: this.lastCreated, pin }
    if (replaces != null) request.replaces = replaces
    const ops: BatchOp[] = [{ type: 'put', key: PREFIX + request.requestid, value: encodeJson(request) }]
    if (old != null) ops.push({ type: 'del', key: PREFIX + old.requestid })
    await this.c.meta.batch(ops)
    if (old != null) {
      this.requests.delete(old.requestid)
      this.running.get(old.requestid)?.abort()
    }
    this.requests.set(request.requestid, request)
    this.queue.push(request.requestid)
    this.pump()
    return request
  }

  private pump (): void {
    while (!this.stopped && this.running.size < PIN_SERVICE_CONCURRENCY && this.queue.length > 0) {
      const id = this.queue.shift() as string
      const request = this.requests.get(id)
      if (request == null || this.running.has(id)) continue
      const controller = new AbortController()
      this.running.set(id, controller)
      void this.run(request, controller.signal).catch(err => { log.error('pin request %s failed - %e', id, err) }).finally(() => {
        this.running.delete(id)
        this.pump()
        if (this.running.size === 0 && this.queue.length === 0) for (const resolve of this.idle) resolve()
        this.idle.clear()
      })
    }
  }

  private async run (request: StoredRequest, signal: AbortSignal): Promise<void> {
    await this.setStatus(request, 'pinning')
    // provider hints: best effort, a failed dial never fails the pin
    await Promise.all((request.pin.origins ?? []).map(async address => {
      await this.c.dial?.(address, AbortSignal.any([signal, AbortSignal.timeout(PIN_SERVICE_DIAL_TIMEOUT_MS)])).catch(err => { log('origin %s not dialled - %e', address, err) })
    }))
    const replicas = request.pin.meta?.replicas ?? this.c.defaultReplicas ?? undefined
    let error: string | undefined
    try {
      const pinned = await this.c.storage.pin(request.pin.cid, { origin: 'service', replicas, signal })
      if (!pinned) error = 'content not found: no peer had it'
    } catch (err: any) {
      error = `${String(err.name)}: ${String(err.message)}`.slice(0, 1024)
    }
    if (this.requests.get(request.requestid) !== request) {
      // removed or replaced while it pinned
      await this.release(request.pin.cid)
      return
    }
    if (signal.aborted && this.stopped) return // pinned again at the next start
    if (error == null) await this.setStatus(request, 'pinned')
    else {
      request.error = error
      await this.setStatus(request, 'failed')
      await this.release(request.pin.cid)
    }
    if (request.replaces != null) {
      const old = request.replaces
      delete request.replaces
      await this.save(request)
      await this.release(old)
    }
  }

  /** Drop the `service` origin of `cid` unless a request that has not failed still names it. */
  private async release (cid: string): Promise<void> {
    for (const r of this.requests.values()) {
      if (r.status !== 'failed' && (r.pin.cid === cid || r.replaces === cid)) return
    }
    await this.c.storage.unpin(cid, { origin: 'service' }).catch(err => { log('could not drop the service pin of %s - %e', cid, err) })
  }

  private async setStatus (request: StoredRequest, status: PinRequestStatus): Promise<void> {
    request.status = status
    await this.save(request)
  }

  private async save (request: StoredRequest): Promise<void> {
    if (this.requests.get(request.requestid) !== request) return
    await this.c.meta.batch([{ type: 'put', key: PREFIX + request.requestid, value: encodeJson(request) }])
  }

  private view (r: StoredRequest): PinRequest {
    const info: Record<string, string> = {}
    if (r.error != null) info.status_details = r.error
    const replicas = r.pin.meta?.replicas ?? this.c.defaultReplicas
    if (replicas != null) {
      info.replicas = replicas
      const entry = this.c.replications?.().find(e => e.cid === r.pin.cid)
      if (entry != null) {
        info.replication = entry.state
        info.holders = String(entry.holders.length)
      }
    }
    const out: PinRequest = { requestid: r.requestid, status: r.status, created: r.created, pin: r.pin }
    if (Object.keys(info).length > 0) out.info = info
    return out
  }
}
