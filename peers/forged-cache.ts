/**
 * A peer that forges cache entries. It answers `/ipfs-kit/cache/1.0.0` for
 * every key with an entry it signed for `cid`, then either
 * - alters the signed entry to name `forgedCid` (content the asker would
 *   otherwise accept by CID), or
 * - with `inline`, keeps the signed entry honest and sends `size` other bytes
 *   as the inline value.
 * Used by tests to check that an asker refuses both and ignores this peer.
 */
import { lpStream } from '@libp2p/utils'
import { CACHE_INLINE_MAX_BYTES, CACHE_PROTOCOL } from '../src/constants.ts'
import { loadOrCreatePublisherKey, sign } from '../src/trust/index.ts'
import type { Kit } from '../src/index.ts'

export async function forgeCacheEntries (kit: Kit, cid: string, size: number, forgedCid: string, inline = false): Promise<void> {
  const libp2p = kit.libp2p
  if (libp2p == null) throw new Error('a forging peer needs libp2p')
  const key = await loadOrCreatePublisherKey(kit.dataDir)
  const encoder = new TextEncoder()
  await libp2p.handle(CACHE_PROTOCOL, async stream => {
    const lp = lpStream(stream, { maxDataLength: CACHE_INLINE_MAX_BYTES })
    try {
      const request = JSON.parse(new TextDecoder().decode((await lp.read()).subarray()))
      const signed = await sign(key, { type: 'ipfs-kit/cache-entry', version: 1, key: request.key, cid, size, created: Date.now(), expires: null })
      if (inline) {
        await lp.write(encoder.encode(JSON.stringify({ v: 1, entry: signed, inline: true })))
        await lp.write(new Uint8Array(size).fill(0x78))
      } else {
        await lp.write(encoder.encode(JSON.stringify({ v: 1, entry: { ...signed, cid: forgedCid } })))
      }
      await stream.close()
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false, force: true })
}
