/**
 * A provider that lies: it answers `/ipfs-kit/transfer/1.0.0` for the blocks
 * it holds with one byte changed. Used by tests to check that a requester
 * catches the first bad block, drops this peer and finishes from honest ones.
 */
import { TRANSFER_PROTOCOL } from '../src/constants.ts'
import { decodeRequest, FRAME_BLOCK, FRAME_MISSING, FrameReader, MAX_FRAME_BYTES, statusByte, writeFrame } from '../src/transfer/index.ts'
import type { Kit } from '../src/index.ts'
import type { CID } from 'multiformats/cid'

/** The block from this node's own store (never from the network), or undefined. */
async function readLocal (kit: Kit, cid: CID): Promise<Uint8Array | undefined> {
  try {
    const parts: Uint8Array[] = []
    for await (const part of kit.helia.blockstore.get(cid, { offline: true })) parts.push(part)
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  } catch {
    return undefined
  }
}

export async function lieAboutBlocks (kit: Kit): Promise<void> {
  const libp2p = kit.libp2p
  if (libp2p == null) throw new Error('a lying peer needs libp2p')
  await libp2p.unhandle(TRANSFER_PROTOCOL)
  await libp2p.handle(TRANSFER_PROTOCOL, async stream => {
    const local = async (cid: CID): Promise<Uint8Array | undefined> => await readLocal(kit, cid)
    const frames = new FrameReader(stream, MAX_FRAME_BYTES)
    try {
      const cids = decodeRequest((await frames.read()).subarray())
      frames.release()
      for (const cid of cids) {
        const bytes = await local(cid)
        if (bytes == null) {
          await writeFrame(stream, [statusByte(FRAME_MISSING)])
          continue
        }
        const wrong = Uint8Array.from(bytes)
        wrong[0] = (wrong[0] ?? 0) ^ 0xff
        await writeFrame(stream, [statusByte(FRAME_BLOCK), wrong])
      }
      await stream.close()
    } catch (err: any) {
      stream.abort(err)
    }
  }, { maxInboundStreams: 64 })
}
