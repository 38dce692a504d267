/** `id`, `version`, `swarm/peers`, `routing/findprovs` and our `ipfs-kit/status`. */
import { RPC_FINDPROVS_DEFAULT } from '../../constants.ts'
import { parseCid } from '../../blocks/index.ts'
import { cidArg, intParam, requiredArg, sendJson, sendJsonLines } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'
import { packageVersion } from '../../package-root.ts'

// found by walking up to ipfs-kit's package.json: the same from src/ (tsx) and from dist/
const VERSION = packageVersion()
export const AGENT_VERSION = `ipfs-kit/${VERSION}`

/** Kubo's routing event types (`routing.QueryEventType`): 4 is a provider record. */
const PROVIDER = 4

export async function id ({ kit, query, res }: RequestContext): Promise<void> {
  const arg = query.get('arg')
  if (arg != null && arg !== '' && arg !== kit.peerId.toString()) throw new RpcError(500, 'looking up other peers is not supported')
  sendJson(res, {
    ID: kit.peerId.toString(),
    PublicKey: kit.peerId.publicKey == null ? '' : Buffer.from(kit.peerId.publicKey.raw).toString('base64'),
    Addresses: kit.addresses(),
    AgentVersion: AGENT_VERSION,
    Protocols: kit.protocols()
  })
}

export async function version ({ res }: RequestContext): Promise<void> {
  sendJson(res, { Version: VERSION, Commit: '', Repo: '1', System: `${process.arch}/${process.platform}`, Golang: `node-${process.version}` })
}

export async function swarmPeers ({ kit, res }: RequestContext): Promise<void> {
  sendJson(res, {
    Peers: kit.connections().map(c => ({ Peer: c.peerId, Addr: c.address, Direction: c.direction === 'inbound' ? 0 : 1 }))
  })
}

export async function findProviders ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const cid = parseCid(cidArg(requiredArg(query))).toString()
  const limit = intParam(query, 'num-providers') ?? RPC_FINDPROVS_DEFAULT
  if (limit < 1) throw new RpcError(400, 'number of providers must be greater than 0')
  async function * lines (): AsyncGenerator<unknown> {
    let found = 0
    for await (const provider of kit.findProviders(cid, { signal })) {
      yield { Extra: '', ID: '', Type: PROVIDER, Responses: [{ ID: provider.peerId, Addrs: provider.addresses }] }
      if (++found >= limit) return
    }
  }
  await sendJsonLines(res, lines(), signal)
}

export async function status ({ kit, res }: RequestContext): Promise<void> {
  sendJson(res, await kit.storage.status())
}
