/**
 * A file read into a few reused buffers (src/storage/file-chunks.ts): every chunk comes out in
 * order, and a buffer someone retains is not read into again until released, however long that
 * takes (the reader waits, it does not allocate); only the reader's own buffers are retained.
 */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ReusedFileChunks } from '../../src/storage/file-chunks.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const sandbox = new Sandbox()
afterAll(async () => { await sandbox.cleanup() })

describe('ReusedFileChunks', () => {
  it('yields the file in chunks and never reads into a buffer still retained', async () => {
    const CHUNK = 1000
    const bytes = randomBytes(10 * CHUNK + 321)
    const file = path.join(await sandbox.dir(), 'input.bin')
    await writeFile(file, bytes)
    const chunks = new ReusedFileChunks(file, CHUNK, 3)
    expect(chunks.retain(new Uint8Array(CHUNK))).toBe(false)

    // each chunk retained, and released (after checking its bytes are still the file's) two chunks later
    const held: Array<{ at: number, bytes: Uint8Array }> = []
    const intact: boolean[] = []
    const release = (): void => {
      const oldest = held.shift()
      if (oldest == null) return
      intact.push(Buffer.from(oldest.bytes).equals(bytes.subarray(oldest.at, oldest.at + oldest.bytes.byteLength)))
      chunks.release(oldest.bytes)
    }
    let at = 0
    const sizes: number[] = []
    for await (const chunk of chunks) {
      expect(chunks.retain(chunk)).toBe(true)
      held.push({ at, bytes: chunk })
      at += chunk.byteLength
      sizes.push(chunk.byteLength)
      // with 3 buffers, one held by this loop and one retained, the read ahead waits for a release
      if (held.length >= 2) setTimeout(release, 5)
    }
    while (held.length > 0) release()
    expect(sizes).toEqual([...new Array<number>(10).fill(CHUNK), 321])
    expect(intact).toEqual(new Array<boolean>(11).fill(true))
  })
})
