/**
 * `ipfs-kit/models/providers`: peers that hold a model, by name — what the
 * Python framework asks before pulling. JSON lines, one provider each, as found.
 */
import { intParam, requiredArg, sendJsonLines } from '../request-context.ts'
import type { RequestContext } from '../request-context.ts'

export async function modelProviders ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const name = requiredArg(query)
  const revision = query.get('revision') ?? undefined
  const timeoutMs = intParam(query, 'timeout-ms')
  if (query.get('verify') === 'true') {
    // every provider with what its root's record says (publisher, trusted, yanked): one JSON array, at the end
    const providers = await kit.models.findProviders(name, { revision, timeoutMs, signal })
    await sendJsonLines(res, providers.map(p => ({ ID: p.peerId, Addrs: p.addresses, Root: p.root, Revision: p.revision, Via: p.via, Publisher: p.publisher ?? null, Created: p.created ?? null, Trusted: p.trusted ?? false, Yanked: p.yanked ?? false, Error: p.error ?? null })), signal)
    return
  }
  // the first provider (or the name's error) before the headers, so a bad name or an offline node gets its status
  const source = kit.models.findProvidersStream(name, { revision, timeoutMs, signal })[Symbol.asyncIterator]()
  const first = await source.next()
  async function * lines (): AsyncGenerator<unknown> {
    let next = first
    while (next.done !== true) {
      const { peerId, addresses, root, revision, via } = next.value
      yield { ID: peerId, Addrs: addresses, Root: root, Revision: revision, Via: via }
      next = await source.next()
    }
  }
  await sendJsonLines(res, lines(), signal)
}
