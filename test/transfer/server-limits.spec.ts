/**
 * The serving side of the transfer protocol bounds work per peer: with many
 * requests open at once from one peer, at most TRANSFER_MAX_STREAMS_PER_PEER
 * are served, the others are answered BUSY (or reset by libp2p past its
 * per-connection stream limit), and what is served verifies.
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyBlock } from '../../src/blocks/index.ts'
import { TRANSFER_MAX_STREAMS_PER_PEER, TRANSFER_PROTOCOL } from '../../src/constants.ts'
import { encodeRequest, FRAME_BLOCK, FRAME_BUSY, FrameReader, MAX_FRAME_BYTES, writeFrame } from '../../src/transfer/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { randomBytes } from 'node:crypto'

const MiB = 1024 * 1024

describe('transfer server limits', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it(`serves at most ${TRANSFER_MAX_STREAMS_PER_PEER} requests of one peer at once and answers the rest BUSY`, async () => {
    // slots fixed at the hard limit: the paced default would answer BUSY before the per-peer cap
    const a = await sandbox.kit({ offline: false, config: { ipfs_kit: { transfer: { upload_slots: 64 } } } })
    const b = await sandbox.kit({ offline: false })
    const root = CID.parse(await a.storage.store(randomBytes(64 * MiB), { pin: true }))
    const rootBytes = await (a.helia.blockstore.get(root, { offline: true }) as AsyncGenerator<Uint8Array>).next().then(r => r.value as Uint8Array)
    const leaves = dagPb.decode(rootBytes).Links.map(l => l.Hash)
    expect(leaves).toHaveLength(64) // each request asks for more than the requester buffers unread
    await b.dial(a.addresses()[0] as string)
    const libp2p = b.libp2p as NonNullable<typeof b.libp2p>

    // 40 requests at once, none read beyond its first frame until all have answered
    const opened = await Promise.allSettled(Array.from({ length: 40 }, async () => {
      const stream = await libp2p.dialProtocol(a.peerId, TRANSFER_PROTOCOL)
      const lp = new FrameReader(stream, MAX_FRAME_BYTES)
      await writeFrame(stream, [encodeRequest(leaves)])
      const first = await lp.read({ signal: AbortSignal.timeout(10_000) })
      return { stream, lp, first }
    }))
    const answered = opened.filter(r => r.status === 'fulfilled').map(r => r.value)
    const served = answered.filter(r => r.first.get(0) === FRAME_BLOCK)
    const busy = answered.filter(r => r.first.get(0) === FRAME_BUSY)
    expect(served.length).toBe(TRANSFER_MAX_STREAMS_PER_PEER)
    expect(busy.length + (opened.length - answered.length)).toBe(40 - TRANSFER_MAX_STREAMS_PER_PEER)
    expect(busy.length).toBeGreaterThan(0)
    expect(a.transfer?.active().get(b.peerId.toString())).toBe(TRANSFER_MAX_STREAMS_PER_PEER)

    // the served requests deliver every block, each verifying against the CID asked for
    for (const { lp, first, stream } of served) {
      expect(verifyBlock(leaves[0] as CID, first.subarray(1))).toBe(true)
      for (const leaf of leaves.slice(1)) {
        const frame = await lp.read()
        expect(frame.get(0)).toBe(FRAME_BLOCK)
        expect(verifyBlock(leaf, frame.subarray(1))).toBe(true)
      }
      await stream.close()
    }
    for (const { stream } of busy) await stream.close()
    // once they are done the peer is served again
    await expect.poll(() => a.transfer?.active().get(b.peerId.toString()) ?? 0).toBe(0)
    const again = await b.storage.retrieve(root.toString())
    expect(again?.byteLength).toBe(64 * MiB)
  }, 60_000)

  it('paces file bytes, not the manifests and DAG nodes every pull needs first', async () => {
    // one paced slot: a peer holding it is answered BUSY for more leaves, but not for the root
    const a = await sandbox.kit({ offline: false, config: { ipfs_kit: { transfer: { upload_slots: 1 } } } })
    const b = await sandbox.kit({ offline: false })
    const root = CID.parse(await a.storage.store(randomBytes(8 * MiB), { pin: true }))
    const rootBytes = await (a.helia.blockstore.get(root, { offline: true }) as AsyncGenerator<Uint8Array>).next().then(r => r.value as Uint8Array)
    const leaves = dagPb.decode(rootBytes).Links.map(l => l.Hash)
    expect(leaves.every(l => l.code === 0x55)).toBe(true)
    await b.dial(a.addresses()[0] as string)
    const libp2p = b.libp2p as NonNullable<typeof b.libp2p>
    const ask = async (cids: CID[]): Promise<{ stream: Awaited<ReturnType<typeof libp2p.dialProtocol>>, first: Awaited<ReturnType<FrameReader['read']>> }> => {
      const stream = await libp2p.dialProtocol(a.peerId, TRANSFER_PROTOCOL)
      const lp = new FrameReader(stream, MAX_FRAME_BYTES)
      await writeFrame(stream, [encodeRequest(cids)])
      return { stream, first: await lp.read({ signal: AbortSignal.timeout(10_000) }) }
    }
    // the leaves' answer is left unread: it holds the one slot
    const holding = await ask(leaves)
    expect(holding.first.get(0)).toBe(FRAME_BLOCK)
    expect((await ask(leaves.slice(0, 1))).first.get(0)).toBe(FRAME_BUSY)
    const node = await ask([root])
    expect(node.first.get(0)).toBe(FRAME_BLOCK)
    expect(verifyBlock(root, node.first.subarray(1))).toBe(true)
    holding.stream.abort(new Error('done'))
  }, 60_000)

  it('resets a request naming more CIDs than allowed', async () => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false })
    const cid = CID.parse(await a.storage.store('small', { pin: true }))
    await b.dial(a.addresses()[0] as string)
    const stream = await (b.libp2p as NonNullable<typeof b.libp2p>).dialProtocol(a.peerId, TRANSFER_PROTOCOL)
    const lp = new FrameReader(stream, MAX_FRAME_BYTES)
    await writeFrame(stream, [encodeRequest(Array(65).fill(cid))])
    await expect(lp.read({ signal: AbortSignal.timeout(10_000) })).rejects.toMatchObject({ name: 'StreamResetError' })
  }, 30_000)
})
