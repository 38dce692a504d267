/**
 * The cold tier's read side: which run of blocks one ranged GET fetches, and
 * taking that GET's blocks as they arrive (S3Objects.streamBlocks: on a
 * plain-HTTP endpoint read from the socket straight into each block) — each hashed
 * against its CID (on this thread: WebCrypto's "off-thread" digest measured no less of it, see
 * docs/DESIGN.md) and
 * handed to its reader once verified; a block that fails is dropped from the
 * index (quarantined) and reported missing, never served.
 *
 * Read-ahead: a sequential read that reaches the start of a pack's last run
 * starts the GET of the pack its upload wrote next (the record's `prev`
 * link), so the next GET streams while this one is consumed. Blocks nobody
 * asked for yet wait in a buffer, up to COLD_READ_AHEAD_BYTES per GET; a GET
 * that would go past it pauses (TCP holds the rest on the server) until its
 * reader catches up, and is abandoned after COLD_READ_AHEAD_IDLE_MS with
 * nobody asking. All GETs together keep at most COLD_READ_AHEAD_GETS shares
 * (oldest blocks dropped past that).
 */
import { NotFoundError as StoreNotFoundError } from 'interface-store'
import { COLD_HASHES_IN_FLIGHT, COLD_READ_AHEAD_BYTES, COLD_READ_AHEAD_GETS, COLD_READ_AHEAD_IDLE_MS, COLD_READ_FIRST_RUN_BYTES, COLD_READ_RUN_BYTES } from '../constants.ts'
import { CorruptBlockError } from '../errors.ts'
import { blockKey, keyToCid } from './block-key.ts'
import { verifyBlock } from './verify.ts'
import type { PackIndex, PackEntry, PackRecord } from './pack-index.ts'
import type { RunSpan } from './run-blocks.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface ColdReaderInit {
  index: PackIndex
  /** The blocks at `spans` of a pack's bytes `[start, end)`, each one buffer, in order, as they arrive (undefined: no such object). */
  streamBlocks(pack: string, range: { start: number, end: number }, spans: RunSpan[], options: AbortOptions): Promise<AsyncIterable<Uint8Array> | undefined>
  onCorrupt?(cid: CID, pack: string): void
  /** @default COLD_READ_AHEAD_BYTES */
  readAheadBytes?: number
  /** @default COLD_READ_AHEAD_IDLE_MS */
  readAheadIdleMs?: number
}

interface Waiter { resolve(bytes: Uint8Array | undefined): void, reject(err: Error): void }

/** One GET's count of its blocks waiting in the buffer. */
interface RunState { buffered: number }

export class ColdReader {
  private readonly inflight = new Map<string, Promise<Uint8Array | undefined>>()
  /** Keys a reader is waiting for (in flight, not yet arrived): a GET holding one never pauses. */
  private readonly awaited = new Map<string, number>()
  /** Fetched, verified, not asked for yet: bytes and when they arrived. */
  private readonly buffer = new Map<string, { bytes: Uint8Array, at: number, run: RunState }>()
  private bufferBytes = 0
  private readonly spaceWaiters = new Set<() => void>()
  /** First key of a run that ends its pack → that pack: reaching it starts the next pack's GET. */
  private readonly runStarts = new Map<string, string>()
  private planning: Promise<unknown> = Promise.resolve()
  private readonly records = new Map<string, PackRecord>()
  /** Per pack, the index of the block after the last run fetched from it (to tell sequential reads). */
  private readonly runEnds = new Map<string, number>()
  private readonly index: PackIndex
  private readonly readAheadBytes: number
  private readonly idleMs: number
  /** Blocks that failed their hash since start. */
  quarantined = 0

  constructor (private readonly init: ColdReaderInit) {
    this.index = init.index
    this.readAheadBytes = init.readAheadBytes ?? COLD_READ_AHEAD_BYTES
    this.idleMs = init.readAheadIdleMs ?? COLD_READ_AHEAD_IDLE_MS
  }

  /**
   * @throws interface-store NotFoundError when not in the cold tier, or corrupt there (then quarantined)
   */
  async getBytes (cid: CID, options: AbortOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted()
    const key = blockKey(cid)
    const buffered = this.buffer.get(key)
    let bytes: Uint8Array | undefined
    if (buffered != null) {
      this.dropBuffered(key)
      bytes = buffered.bytes
      this.reached(key)
    } else {
      this.await(key, 1)
      try {
        const pending = this.inflight.get(key) ?? await this.plan(key, options)
        this.reached(key)
        bytes = await pending
      } finally {
        this.await(key, -1)
      }
      this.dropBuffered(key)
    }
    if (bytes == null) {
      const err = new StoreNotFoundError(`block ${cid} in the cold tier is corrupt`)
      err.cause = new CorruptBlockError(cid.toString())
      throw err
    }
    return bytes
  }

  /** True when the block is fetched or being fetched (a read of it costs no request and no disk lookup). */
  fetching (cid: CID): boolean {
    const key = blockKey(cid)
    return this.buffer.has(key) || this.inflight.has(key)
  }

  /** Forget what gc removed: the pack's cached record and the blocks' buffered bytes. */
  forget (pack: string, keys: string[]): void {
    this.records.delete(pack)
    for (const key of keys) this.dropBuffered(key)
  }

  /** Decide the run that fetches `key` and register every block of it as in flight (one planner at a time, so runs never overlap). */
  private async plan (key: string, options: AbortOptions): Promise<Promise<Uint8Array | undefined>> {
    const planned = this.planning.then(async () => {
      const ready = this.inflight.get(key)
      if (ready != null) return { pending: ready }
      const buffered = this.buffer.get(key)
      if (buffered != null) return { pending: Promise.resolve(buffered.bytes) }
      const at = await this.index.locate(key)
      if (at == null) throw new StoreNotFoundError(`block ${keyToCid(key)} not found in the cold tier`)
      const record = await this.record(at.pack)
      const first = record.blocks.findIndex(([k]) => k === key)
      // a read from the start of an upload, or one that continues the last run, is sequential: a long
      // run; a read from the middle of one (a seek, a small file's neighbour) starts short
      const sequential = first === 0 || record.blocks[first - 1]?.[3] !== record.blocks[first]![3] || this.runEnds.get(record.pack) === first
      const run = this.runFrom(record, first, sequential ? COLD_READ_RUN_BYTES : COLD_READ_FIRST_RUN_BYTES)
      if (sequential) this.noteRunStart(record, first, run)
      this.fetchRun(record.pack, run, options)
      return { pending: this.inflight.get(key) as Promise<Uint8Array | undefined> }
    })
    this.planning = planned.catch(() => {})
    return (await planned).pending
  }

  /** Blocks from `first` on, of the same upload, up to `cap` bytes, stopping at one in flight or buffered. */
  private runFrom (record: PackRecord, first: number, cap: number): PackEntry[] {
    const run: PackEntry[] = [record.blocks[first] as PackEntry]
    for (let i = first + 1; i < record.blocks.length; i++) {
      const next = record.blocks[i] as PackEntry
      const last = run[run.length - 1] as PackEntry
      if (next[3] !== last[3] || next[1] + next[2] - run[0]![1] > cap || this.inflight.has(next[0]) || this.buffer.has(next[0])) break
      run.push(next)
    }
    this.runEnds.delete(record.pack)
    this.runEnds.set(record.pack, first + run.length)
    if (this.runEnds.size > 64) this.runEnds.delete(this.runEnds.keys().next().value as string)
    return run
  }

  /** A sequential run that ends its pack: when a reader reaches its first block, the next pack is fetched ahead. */
  private noteRunStart (record: PackRecord, first: number, run: PackEntry[]): void {
    if (first + run.length !== record.blocks.length) return
    this.runStarts.set(run[0]![0], record.pack)
    if (this.runStarts.size > 64) this.runStarts.delete(this.runStarts.keys().next().value as string)
  }

  /** A reader got to `key`: if it starts a pack's last run, fetch the pack its upload wrote next. */
  private reached (key: string): void {
    const pack = this.runStarts.get(key)
    if (pack == null) return
    this.runStarts.delete(key)
    const planned = this.planning.then(async () => {
      const next = await this.index.next(pack)
      if (next == null) return
      const record = await this.record(next)
      const head = record.blocks[0]
      if (head == null || this.inflight.has(head[0]) || this.buffer.has(head[0])) return
      const run = this.runFrom(record, 0, COLD_READ_RUN_BYTES)
      this.noteRunStart(record, 0, run)
      // no reader's signal: the GET belongs to whoever reads next, and pauses or ends on its own
      this.fetchRun(record.pack, run, {})
    })
    this.planning = planned.catch(() => {})
  }

  /**
   * One ranged GET for a run, as its blocks arrive (S3Objects.streamBlocks): each block is
   * hashed, and handed to its reader once verified (so a reader starts
   * before the run has arrived, and no run is ever held whole); blocks not asked for yet wait
   * in the read-ahead buffer, and the GET pauses while that is full and nobody waits for it.
   */
  private fetchRun (pack: string, run: PackEntry[], options: AbortOptions): void {
    const waiters = new Map<string, Waiter>()
    for (const [key] of run) {
      const one = new Promise<Uint8Array | undefined>((resolve, reject) => { waiters.set(key, { resolve, reject }) })
      one.catch(() => {})
      this.inflight.set(key, one)
    }
    const state: RunState = { buffered: 0 }
    const settle = (key: string, bytes: Uint8Array | undefined): void => {
      if (!waiters.has(key)) return
      this.inflight.delete(key)
      if (bytes != null && !this.awaited.has(key)) this.keep(key, bytes, state)
      waiters.get(key)?.resolve(bytes)
      waiters.delete(key)
    }
    const start = run[0]![1]
    const last = run[run.length - 1] as PackEntry
    const end = last[1] + last[2]
    void (async () => {
      const blocks = await this.init.streamBlocks(pack, { start, end }, run.map(([, offset, length]) => ({ offset, length })), options)
      if (blocks == null) throw new StoreNotFoundError(`pack ${pack} is missing from the bucket`)
      const hashing: Array<Promise<void>> = []
      let i = 0
      for await (const block of blocks) {
        const hashed = this.verify(pack, run[i]![0], block, settle)
        hashed.catch(() => {}) // awaited below
        hashing.push(hashed)
        i++
        if (hashing.length >= COLD_HASHES_IN_FLIGHT) await Promise.all(hashing.splice(0, hashing.length - COLD_HASHES_IN_FLIGHT + 1))
        // checked again once the wait is over, in the same tick as letting go: a reader may have come
        if (i < run.length && !await this.roomFor(run, i, state, waiters) && !this.anyAwaited(run, i)) {
          // paused with nobody asking: let the rest go (nobody holds their promises), fetched again if asked
          for (const [key] of run.slice(i)) {
            this.inflight.delete(key)
            waiters.delete(key)
          }
          break
        }
      }
      await Promise.all(hashing)
      if (waiters.size > 0) throw new StoreNotFoundError(`pack ${pack} in the bucket is shorter than its index says`)
    })().catch((err: Error) => {
      for (const [key, waiter] of waiters) {
        this.inflight.delete(key)
        waiter.reject(err)
      }
      waiters.clear()
    })
  }

  /** Hash one block off the event loop; serve it, or quarantine it. */
  private async verify (pack: string, key: string, bytes: Uint8Array, settle: (key: string, bytes: Uint8Array | undefined) => void): Promise<void> {
    const cid = keyToCid(key)
    if (verifyBlock(cid, bytes)) {
      settle(key, bytes)
      return
    }
    // out of the index before its reader hears of it: a second read must not fetch it again
    await this.index.remove([key])
    this.quarantined++
    this.init.onCorrupt?.(cid, pack)
    settle(key, undefined)
  }

  /**
   * Wait while this GET's blocks not asked for yet fill its read-ahead share. A GET holding a
   * block some reader waits for never waits (its oldest buffered blocks are dropped instead);
   * one nobody asks for waits up to the idle time, then false (give up the rest of the run).
   */
  private async roomFor (run: PackEntry[], from: number, state: RunState, waiters: Map<string, Waiter>): Promise<boolean> {
    const deadline = Date.now() + this.idleMs
    while (state.buffered > this.readAheadBytes) {
      this.dropStale()
      if (state.buffered <= this.readAheadBytes) break
      if (this.anyAwaited(run, from)) {
        this.dropOldestOf(state)
        continue
      }
      const left = deadline - Date.now()
      if (left <= 0 || waiters.size === 0) return false
      await new Promise<void>(resolve => {
        const wake = (): void => { clearTimeout(timer); this.spaceWaiters.delete(wake); resolve() }
        const timer = setTimeout(wake, left)
        this.spaceWaiters.add(wake)
      })
    }
    return true
  }

  private anyAwaited (run: PackEntry[], from: number): boolean {
    for (let i = from; i < run.length; i++) if (this.awaited.has(run[i]![0])) return true
    return false
  }

  private await (key: string, delta: number): void {
    const count = (this.awaited.get(key) ?? 0) + delta
    if (count > 0) this.awaited.set(key, count)
    else this.awaited.delete(key)
    if (delta > 0) this.wake()
  }

  private wake (): void {
    for (const wake of [...this.spaceWaiters]) wake()
  }

  private async record (id: string): Promise<PackRecord> {
    let record = this.records.get(id)
    if (record == null) {
      record = await this.index.pack(id)
      if (record == null) throw new StoreNotFoundError(`pack ${id} is not in the local index`)
      if (this.records.size >= 16) this.records.delete(this.records.keys().next().value as string)
      this.records.set(id, record)
    }
    return record
  }

  private keep (key: string, bytes: Uint8Array, run: RunState): void {
    this.buffer.set(key, { bytes, at: Date.now(), run })
    this.bufferBytes += bytes.byteLength
    run.buffered += bytes.byteLength
    // every GET's share together: past it (many readers at once) the oldest blocks go
    while (this.bufferBytes > this.readAheadBytes * COLD_READ_AHEAD_GETS) this.dropBuffered(this.buffer.keys().next().value as string)
  }

  private dropOldestOf (run: RunState): void {
    for (const [key, kept] of this.buffer) {
      if (kept.run !== run) continue
      this.dropBuffered(key)
      return
    }
  }

  /** Drop buffered blocks nobody asked for within the idle time (a reader that went away). */
  private dropStale (): void {
    const before = Date.now() - this.idleMs
    for (const [key, { at }] of this.buffer) {
      if (at >= before) break
      this.dropBuffered(key)
    }
  }

  private dropBuffered (key: string): void {
    const kept = this.buffer.get(key)
    if (kept == null) return
    this.buffer.delete(key)
    this.bufferBytes -= kept.bytes.byteLength
    kept.run.buffered -= kept.bytes.byteLength
    this.wake()
  }
}
