/**
 * Super-seeding on the serving side (src/transfer/super-seed.ts), through a
 * real server: a seed that just sent a block to one peer refers the next asker
 * to that peer — for file bytes only. A manifest or DAG node is sent to every
 * asker: it is smaller than the referral's round trip, and every pull needs it
 * before anything else.
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { code as RAW_CODE } from 'multiformats/codecs/raw'
import { afterEach, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { TRANSFER_PROTOCOL } from '../../src/constants.ts'
import { encodeRequest, FRAME_BLOCK, FrameReader, MAX_FRAME_BYTES, writeFrame } from '../../src/transfer/index.ts'
import { FRAME_ELSEWHERE } from '../../src/transfer/wire.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'

const MiB = 1024 * 1024

describe('transfer server referrals', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  /** The status of `asker`'s answer for `cid` from `seed` (the block is read whole when sent). */
  const ask = async (asker: Kit, seed: Kit, cid: CID): Promise<number | undefined> => {
    const libp2p = asker.libp2p as NonNullable<typeof asker.libp2p>
    const stream = await libp2p.dialProtocol(seed.peerId, TRANSFER_PROTOCOL)
    const frames = new FrameReader(stream, MAX_FRAME_BYTES)
    await writeFrame(stream, [encodeRequest([cid])])
    const frame = await frames.read({ signal: AbortSignal.timeout(10_000) })
    frames.release()
    await stream.close()
    return frame.get(0)
  }

  it('sends a second asker elsewhere for a leaf just sent, and sends it the DAG node', async () => {
    const seed = await sandbox.kit({ offline: false, config: { ipfs_kit: { transfer: { upload_slots: 8 } } } })
    const first = await sandbox.kit({ offline: false })
    const second = await sandbox.kit({ offline: false })
    const root = CID.parse(await seed.storage.store(randomBytes(2 * MiB), { pin: true }))
    const rootBytes = await (seed.helia.blockstore.get(root, { offline: true }) as AsyncGenerator<Uint8Array>).next().then(r => r.value as Uint8Array)
    const leaf = dagPb.decode(rootBytes).Links[0]?.Hash as CID
    expect(root.code).toBe(dagPb.code)
    expect(leaf.code).toBe(RAW_CODE)
    await first.dial(seed.addresses()[0] as string)
    await second.dial(seed.addresses()[0] as string)

    expect(await ask(first, seed, root)).toBe(FRAME_BLOCK)
    expect(await ask(first, seed, leaf)).toBe(FRAME_BLOCK)
    // the DAG node again, to another peer: sent, not referred
    expect(await ask(second, seed, root)).toBe(FRAME_BLOCK)
    // the leaf, sent to `first` moments ago: referred there the first time, sent when asked again
    expect(await ask(second, seed, leaf)).toBe(FRAME_ELSEWHERE)
    expect(await ask(second, seed, leaf)).toBe(FRAME_BLOCK)
  })
})
