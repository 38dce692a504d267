/**
 * A peer that forges cache entries: it answers `/ipfs-kit/cache/1.0.0` for
 * every key with an entry it signed for `cid` and then altered to name
 * `forgedCid` (content the asker would otherwise accept by CID). Used by
 * tests to check that an asker refuses the entry and ignores this peer.
 */
import { lpStream } from '@libp2p/utils'
import { CACHE_MAX_MESSAGE_BYTES, CACHE_PROTOCOL } from '../src/constants.ts'
import { loadOrCreatePublisherKey, sign } from '../src/trust/index.ts'
import type { Kit } from '../src/index.ts'

export async function forgeCacheEntries (kit: Kit, cid: string, size: number, forgedCid: string): Promise<void> {
  const libp2p = kit.libp2p
  if (libp2p == null) throw new Error('a forging peer needs libp2p')
  const key = await loadOrCreatePublisherKey(kit.dataDir)
  await libp2p.handle(CACHE_PROTOCOL, async stream => {
    const lp = lpStream(stream, { maxDataLength: CACHE_MAX_MESSAGE_BYTES })
    try {
      const request = JSON.parse(new TextDecoder().decode((await lp.read()).subarray()))
      const signed = await sign(key, { type: 'ipfs-kit/cache-entry', version: 1, key: request.key, cid, size, created: Date.now(), expires: null })
      await lp.write(new TextEncoder().encode(JSON.stringify({ v: 1, entry: { ...signed, cid: forgedCid } })))
      await stream.close()
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false, force: true })
}
