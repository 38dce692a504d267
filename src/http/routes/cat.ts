/** `cat`: a file's bytes (or a range of them), streamed with back-pressure. */
import { parseCid } from '../../blocks/index.ts'
import { cidArg, intParam, requiredArg, write } from '../request-context.ts'
import { resolveArg } from './ipfs-path.ts'
import type { RequestContext } from '../request-context.ts'

export async function cat ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const arg = requiredArg(query)
  // `/ipfs/<cid>/<path>`: resolved through its directories
  // Kubo's cat takes a CID or an IPFS path, never a stored filename: a non-CID is a 400 here
  const cid = arg.replace(/^\/ipfs\//, '').includes('/') ? (await resolveArg(kit, arg, signal)).node.cid.toString() : parseCid(cidArg(arg)).toString()
  const offset = intParam(query, 'offset') ?? 0
  const length = intParam(query, 'length')
  const source = kit.storage.stream(cid, { offset, length, signal })[Symbol.asyncIterator]()
  // the first chunk before the headers: a bad CID or missing block still gets a proper error status
  let next = await source.next()
  res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Stream-Output': '1' })
  while (next.done !== true) {
    await write(res, next.value, signal)
    next = await source.next()
  }
  res.end()
}
