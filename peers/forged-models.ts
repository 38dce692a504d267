/**
 * A peer that lies about models: it answers `/ipfs-kit/models/1.0.0` with
 * the entries it is given — roots it may not be able to serve, and entries
 * about OTHER peers (`{ peerId: honest, root: evil }`) in its `resolve`
 * referrals and its `index`. Used by tests to check that a puller believes
 * a name → root binding only from a signed, trusted record, and that a root
 * nobody serves does not end the pull.
 */
import { lpStream } from '@libp2p/utils'
import { MODELS_MAX_MESSAGE_BYTES, MODELS_PROTOCOL } from '../src/constants.ts'
import type { Kit } from '../src/index.ts'

interface ForgedModel { name: string, revision: string, root: string }
interface ForgedEntry extends ForgedModel { peerId: string, addresses: string[] }

export async function forgeModels (kit: Kit, models: ForgedModel[], entries: ForgedEntry[]): Promise<void> {
  const libp2p = kit.libp2p
  if (libp2p == null) throw new Error('a forging peer needs libp2p')
  await libp2p.unhandle(MODELS_PROTOCOL)
  await libp2p.handle(MODELS_PROTOCOL, async stream => {
    const lp = lpStream(stream, { maxDataLength: MODELS_MAX_MESSAGE_BYTES })
    try {
      const request = JSON.parse(new TextDecoder().decode((await lp.read()).subarray()))
      const self = { peerId: libp2p.peerId.toString(), addresses: libp2p.getMultiaddrs().map(ma => ma.toString()) }
      const response = request.op === 'index'
        ? { providers: [...models.map(m => ({ ...m, ...self })), ...entries] }
        : { models: models.filter(m => m.name === request.name), referrals: entries.filter(e => e.name === request.name) }
      await lp.write(new TextEncoder().encode(JSON.stringify(response)))
      await stream.close()
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false })
}
