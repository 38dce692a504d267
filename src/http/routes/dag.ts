/**
 * `dag/export` and `dag/import`: CARv1 out and in. Export streams the DAG's
 * blocks depth first, each once, as Kubo does. Import verifies every block of
 * every uploaded CAR before writing any of it, then pins the roots unless
 * `pin-roots=false`, answering one `{ Root: { Cid, PinErrorMsg } }` line per root.
 */
import { DEFAULT_FETCH_TIMEOUT_MS } from '../../constants.ts'
import { parseCid } from '../../blocks/index.ts'
import { allBlocks } from '../car/dag-blocks.ts'
import { importCar } from '../car/car-import.ts'
import { sendCar } from '../car/car-stream.ts'
import { kitBlockSource } from '../kit-blocks.ts'
import { parseMultipart } from '../multipart.ts'
import { boolParam, cidArg, requiredArg, sendJsonLines } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import type { RequestContext } from '../request-context.ts'
import type { CID } from 'multiformats/cid'

export async function dagExport ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const root = parseCid(cidArg(requiredArg(query)))
  const source = kitBlockSource(kit, { timeoutMs: DEFAULT_FETCH_TIMEOUT_MS })
  await sendCar(res, [root], allBlocks(source, root, { signal }), { 'Content-Type': 'application/vnd.ipld.car', 'X-Stream-Output': '1' }, signal)
}

export async function dagImport ({ kit, req, query, signal, res }: RequestContext): Promise<void> {
  const pinRoots = boolParam(query, 'pin-roots', true)
  const stats = boolParam(query, 'stats', false)
  const hold = kit.storage.hold()
  try {
    const roots: CID[] = []
    let blocks = 0
    let bytes = 0
    let cars = 0
    for await (const part of parseMultipart(req, { signal })) {
      const result = await importCar(kit, part.body, { hold, signal })
      cars++
      blocks += result.blocks
      bytes += result.bytes
      for (const root of result.roots) if (!roots.some(r => r.equals(root))) roots.push(root)
    }
    if (cars === 0) throw new RpcError(400, 'no CAR in the request')
    const lines: unknown[] = []
    for (const root of roots) {
      let error = ''
      if (pinRoots) {
        try {
          if (!await kit.storage.pin(root.toString(), { signal })) error = `blocks of ${root} are missing: the CARs do not hold the whole DAG`
        } catch (err: any) {
          error = err.message
        }
      }
      lines.push({ Root: { Cid: { '/': root.toString() }, PinErrorMsg: error } })
    }
    if (stats) lines.push({ Stats: { BlockCount: blocks, BlockBytesCount: bytes } })
    await sendJsonLines(res, lines, signal)
  } finally {
    hold.release()
  }
}
