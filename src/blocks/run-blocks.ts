/** A ranged GET's body, as the blocks of a run of a pack (the SDK path of S3Objects.streamBlocks). */

/** A block's place in a pack: its bytes are `[offset, offset + length)`. */
export interface RunSpan { offset: number, length: number }

/**
 * The blocks `spans` (in pack order) out of a body that starts at pack offset `start`: each copied
 * out of the body's chunks into a buffer of its own, yielded once complete; the frame bytes
 * between blocks are skipped. Ends early when the body does (the caller counts the blocks).
 */
export async function * assembleBlocks (body: AsyncIterable<Uint8Array>, start: number, spans: RunSpan[]): AsyncGenerator<Uint8Array> {
  let at = start // the pack offset of the next body byte
  let i = 0
  let block: Uint8Array | undefined
  let filled = 0
  for await (const chunk of body) {
    let pos = 0
    while (pos < chunk.byteLength && i < spans.length) {
      const { offset, length } = spans[i] as RunSpan
      if (at < offset) { // a frame header between blocks
        const skip = Math.min(offset - at, chunk.byteLength - pos)
        pos += skip
        at += skip
        continue
      }
      block ??= Buffer.allocUnsafeSlow(length) // every byte is written below: no zero fill
      const take = Math.min(length - filled, chunk.byteLength - pos)
      block.set(chunk.subarray(pos, pos + take), filled)
      filled += take
      pos += take
      at += take
      if (filled < length) continue
      yield block
      block = undefined
      filled = 0
      i++
    }
    if (i === spans.length) return
  }
}
