/**
 * A file read in chunks into a few buffers reused over and over, for a store straight to the cold
 * tier. A fresh buffer per chunk (what `createReadStream` does) is garbage V8 frees only after
 * ~64 MB of such external memory has piled up, and the allocator then keeps the pages: a 1 GiB
 * store held the process's RSS ~60 MB higher than the data in flight needs.
 *
 * A buffer is read into again only once nobody holds it: the consumer holds the chunk it was
 * given until it asks for the next one, and whoever it hands a piece of it to (the import's `put`,
 * until the pack spool has the bytes) `retain`s it and `release`s it when done. So a consumer must
 * not keep a chunk, or any view of it, past asking for the next one, unless it retains it.
 */
import fs from 'node:fs/promises'

export class ReusedFileChunks implements AsyncIterable<Uint8Array> {
  /** Allocated when first read into (a file of one chunk takes one). */
  private readonly buffers: Array<Buffer | undefined>
  private readonly holds: number[]
  private readonly freed: Array<(() => void) | undefined>

  /**
   * @param chunkBytes size of each chunk (the last may be shorter)
   * @param count buffers reused, at least 2 (one held by the consumer, one read ahead)
   */
  constructor (private readonly path: string, private readonly chunkBytes: number, count: number) {
    if (count < 2) throw new RangeError('at least 2 buffers')
    this.buffers = new Array<Buffer | undefined>(count).fill(undefined)
    this.holds = new Array<number>(count).fill(0)
    this.freed = new Array(count).fill(undefined)
  }

  /** Count a hold on the buffer `bytes` views; false (and nothing counted) when it is not one of these buffers. */
  retain (bytes: Uint8Array): boolean {
    const slot = this.slotOf(bytes)
    if (slot < 0) return false
    this.holds[slot] = (this.holds[slot] as number) + 1
    return true
  }

  /** End a hold `retain` counted. */
  release (bytes: Uint8Array): void {
    const slot = this.slotOf(bytes)
    if (slot >= 0) this.unhold(slot)
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Uint8Array> {
    const handle = await fs.open(this.path, 'r')
    let position = 0
    /** Read the next chunk into buffer `slot` once it is free: bytes read (0 at the end). */
    const fill = async (slot: number): Promise<number> => {
      while (this.holds[slot] !== 0) await new Promise<void>(resolve => { this.freed[slot] = resolve })
      const buffer = this.buffers[slot] ?? Buffer.allocUnsafeSlow(this.chunkBytes)
      this.buffers[slot] = buffer
      let at = 0
      while (at < this.chunkBytes) {
        const { bytesRead } = await handle.read(buffer, at, this.chunkBytes - at, position + at)
        if (bytesRead === 0) break
        at += bytesRead
      }
      position += at
      return at
    }
    let slot = 0
    let reading = fill(slot)
    try {
      while (true) {
        const n = await reading
        if (n === 0) return
        this.holds[slot] = (this.holds[slot] as number) + 1
        const next = (slot + 1) % this.buffers.length
        // the next chunk is read while this one is used (a short chunk was the last)
        reading = n < this.chunkBytes ? Promise.resolve(0) : fill(next)
        try {
          yield (this.buffers[slot] as Buffer).subarray(0, n)
        } finally {
          this.unhold(slot)
        }
        slot = next
      }
    } finally {
      // a read ahead still under way uses the handle: let it settle first
      await reading.catch(() => 0)
      await handle.close()
    }
  }

  private slotOf (bytes: Uint8Array): number {
    return this.buffers.findIndex(buffer => buffer?.buffer === bytes.buffer)
  }

  private unhold (slot: number): void {
    const holds = (this.holds[slot] as number) - 1
    this.holds[slot] = holds
    if (holds > 0) return
    const wake = this.freed[slot]
    this.freed[slot] = undefined
    wake?.()
  }
}
