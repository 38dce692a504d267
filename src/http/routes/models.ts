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
