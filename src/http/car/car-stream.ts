/**
 * Writing a CARv1 (roots, then blocks) to an HTTP response as the blocks are
 * read, through @ipld/car's CarWriter: its `put()` resolves once the bytes
 * were taken, so reading never runs ahead of the socket.
 */
import { CarWriter } from '@ipld/car/writer'
import { write } from '../request-context.ts'
import type { Block } from './dag-blocks.ts'
import type { ServerResponse } from 'node:http'
import type { CID } from 'multiformats/cid'

/**
 * Stream `blocks` as a CAR with `roots`. The first block is read before the
 * headers go out, so a missing root still gets its error status.
 */
export async function sendCar (res: ServerResponse, roots: CID[], blocks: AsyncIterable<Block>, headers: Record<string, string>, signal: AbortSignal, head = false): Promise<void> {
  const source = blocks[Symbol.asyncIterator]()
  const first = await source.next()
  res.writeHead(200, headers)
  if (head) {
    await source.return?.(undefined)
    res.end()
    return
  }
  const { writer, out } = CarWriter.create(roots)
  let failure: unknown
  const producing = (async () => {
    try {
      let next = first
      while (next.done !== true) {
        await writer.put(next.value)
        if (signal.aborted || failure != null) break
        next = await source.next()
      }
    } catch (err) {
      failure = err
    } finally {
      await writer.close()
    }
  })()
  for await (const chunk of out) {
    if (!signal.aborted) await write(res, chunk, signal).catch(err => { failure ??= err })
  }
  await producing
  if (failure != null) throw failure
  res.end()
}
