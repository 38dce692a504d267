/**
 * Splitting a line-based file (jsonl, csv, txt) into shards of about
 * `shardSize` bytes at line boundaries, streaming: each shard is cut at the
 * first newline at or after `shardSize` bytes, so a record is never split and
 * only one read chunk is in memory. The shards are consumed in order, each
 * fully before the next is asked for.
 */

const NEWLINE = 10

/** `<path>.shard-00000`, `<path>.shard-00001`, … */
export function shardPath (path: string, index: number): string {
  return `${path}.shard-${String(index).padStart(5, '0')}`
}

/** Successive shards of `source`; consume each shard whole before asking for the next. */
export function lineShards (source: AsyncIterable<Uint8Array>, shardSize: number): AsyncIterable<AsyncIterable<Uint8Array>> {
  const it = source[Symbol.asyncIterator]()
  let pending: Uint8Array | undefined
  async function * shard (): AsyncGenerator<Uint8Array> {
    let bytes = 0
    while (true) {
      let chunk = pending
      pending = undefined
      if (chunk == null) {
        const next = await it.next()
        if (next.done === true) return
        chunk = next.value
      }
      const nl = bytes + chunk.byteLength < shardSize ? -1 : chunk.indexOf(NEWLINE, Math.max(0, shardSize - bytes - 1))
      if (nl === -1) {
        bytes += chunk.byteLength
        yield chunk
        continue
      }
      yield chunk.subarray(0, nl + 1)
      pending = chunk.subarray(nl + 1)
      return
    }
  }
  return {
    async * [Symbol.asyncIterator] () {
      while (true) {
        while (pending == null || pending.byteLength === 0) {
          const next = await it.next()
          if (next.done === true) return
          pending = next.value
        }
        yield shard()
      }
    }
  }
}

/** Counts the records (lines) of a stream as it passes: newlines, plus a last line without one. */
export class RecordCounter {
  private lines = 0
  private last = NEWLINE
  private empty = true

  async * count (source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (chunk.byteLength > 0) {
        this.empty = false
        this.last = chunk[chunk.byteLength - 1] as number
        for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) this.lines++
      }
      yield chunk
    }
  }

  get records (): number {
    return this.lines + (!this.empty && this.last !== NEWLINE ? 1 : 0)
  }
}
