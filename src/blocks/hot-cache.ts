/**
 * The hot tier: verified blocks in memory, bounded in bytes, scan-resistant
 * (2Q, Johnson & Shasha 1994). A block read for the first time enters a
 * probation FIFO (`A1in`, at most HOT_PROBATION_SHARE of the budget); read
 * again while there, or read again soon after it left (its key is still in the
 * ghost list `A1out`), it enters the protected LRU (`Am`). Reading a large file
 * once therefore churns only the probation FIFO (and costs only its share of
 * memory, even in an empty cache): blocks read often stay.
 *
 * A block of a read longer than the probation share (a file streamed whole: a scan) is not held
 * at all, only remembered as a ghost: it would have churned the whole probation FIFO by itself,
 * and been dropped before a second read came, so holding it cost memory (up to the probation
 * share, during every large read) and bought nothing. A second read soon after still finds the
 * ghost and admits the block as protected, as if it had been dropped from probation.
 *
 * Only blocks that passed their hash check are admitted (the block layer calls
 * `admit` after verifying), so a hit is served without hashing again.
 */
import { HOT_PROBATION_SHARE } from '../constants.ts'

export interface HotCacheStats {
  /** Bytes held (probation + protected). */
  bytes: number
  /** Blocks held. */
  blocks: number
  /** The byte budget (`performance.memory_cache_size`). */
  capacity: number
  hits: number
  misses: number
}

export interface AdmitOptions {
  /** Straight into the protected LRU (`tier(cid, 'hot')`). @default false */
  protect?: boolean
  /**
   * Bytes of the read this block is part of (a file read, see `GetBytesOptions.readLength`): over
   * the probation share, the block is a scan's and only its key is remembered.
   */
  readLength?: number
}

/** Buffers this small may be slices of Node's shared 8 KiB pool: copied, so the cache holds only their bytes. */
const POOLED_BELOW = 4096

export class HotCache {
  private readonly probation = new Map<string, Uint8Array>() // A1in: insertion order = FIFO
  private readonly protected = new Map<string, Uint8Array>() // Am: insertion order = LRU → MRU
  private readonly ghosts = new Map<string, number>() // A1out: keys recently dropped from probation, with their size
  private probationBytes = 0
  private protectedBytes = 0
  private ghostBytes = 0
  private hits = 0
  private misses = 0
  readonly capacity: number
  private readonly probationLimit: number

  /** @param capacity the byte budget; 0 disables the cache */
  constructor (capacity: number) {
    this.capacity = Math.max(0, Math.floor(capacity))
    this.probationLimit = Math.floor(this.capacity * HOT_PROBATION_SHARE)
  }

  /** The block's bytes when held (counted as a hit; a probation hit is promoted), else undefined (a miss). */
  get (key: string): Uint8Array | undefined {
    if (this.capacity === 0) return undefined
    const hot = this.protected.get(key)
    if (hot != null) {
      this.protected.delete(key)
      this.protected.set(key, hot)
      this.hits++
      return hot
    }
    const probing = this.probation.get(key)
    if (probing != null) {
      this.probation.delete(key)
      this.probationBytes -= probing.byteLength
      this.protected.set(key, probing)
      this.protectedBytes += probing.byteLength
      this.hits++
      this.reclaim()
      return probing
    }
    this.misses++
    return undefined
  }

  /** True when held, without counting or reordering. */
  has (key: string): boolean {
    return this.protected.has(key) || this.probation.has(key)
  }

  /**
   * Offer a verified block just read from a slower tier: into probation, or protected when
   * `protect` or when its key is a ghost (read again soon after it left); a scan's block (see
   * `AdmitOptions.readLength`) read for the first time is only remembered.
   */
  admit (key: string, bytes: Uint8Array, options: AdmitOptions = {}): void {
    if (this.capacity === 0 || this.has(key)) return
    const protect = options.protect === true
    const size = bytes.byteLength
    if (size > (protect ? this.capacity : this.probationLimit)) return
    const ghost = this.ghosts.get(key)
    if (ghost != null) {
      this.ghosts.delete(key)
      this.ghostBytes -= ghost
    } else if (!protect && (options.readLength ?? 0) > this.probationLimit) {
      this.remember(key, size)
      return
    }
    const held = size < POOLED_BELOW ? Uint8Array.prototype.slice.call(bytes) : bytes
    if (protect || ghost != null) {
      this.protected.set(key, held)
      this.protectedBytes += size
    } else {
      this.probation.set(key, held)
      this.probationBytes += size
    }
    this.reclaim()
  }

  /** Bytes of the block when held, without counting or reordering. */
  sizeOf (key: string): number | undefined {
    return (this.protected.get(key) ?? this.probation.get(key))?.byteLength
  }

  delete (key: string): void {
    const p = this.probation.get(key)
    if (p != null) {
      this.probation.delete(key)
      this.probationBytes -= p.byteLength
    }
    const m = this.protected.get(key)
    if (m != null) {
      this.protected.delete(key)
      this.protectedBytes -= m.byteLength
    }
  }

  stats (): HotCacheStats {
    return { bytes: this.probationBytes + this.protectedBytes, blocks: this.probation.size + this.protected.size, capacity: this.capacity, hits: this.hits, misses: this.misses }
  }

  /**
   * Probation never holds more than its share (so a scan costs at most that much memory, even in
   * an empty cache); then, over budget, the least recently used protected block goes.
   */
  private reclaim (): void {
    while (this.probationBytes > this.probationLimit || (this.protected.size === 0 && this.probationBytes > this.capacity)) {
      const [key, bytes] = this.probation.entries().next().value as [string, Uint8Array]
      this.probation.delete(key)
      this.probationBytes -= bytes.byteLength
      this.remember(key, bytes.byteLength)
    }
    while (this.probationBytes + this.protectedBytes > this.capacity && this.protected.size > 0) {
      const [key, bytes] = this.protected.entries().next().value as [string, Uint8Array]
      this.protected.delete(key)
      this.protectedBytes -= bytes.byteLength
    }
  }

  /** Keep the key of a block dropped from probation, for as many bytes' worth as half the budget. */
  private remember (key: string, size: number): void {
    this.ghosts.set(key, size)
    this.ghostBytes += size
    while (this.ghostBytes > this.capacity / 2) {
      const [oldest, oldSize] = this.ghosts.entries().next().value as [string, number]
      this.ghosts.delete(oldest)
      this.ghostBytes -= oldSize
    }
  }
}
