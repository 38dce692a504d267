/**
 * `add`: store each file of a multipart upload as it streams in, under the
 * unixfs-v1-2025 profile, and build the directories its paths name (and,
 * with `wrap-with-directory`, one around everything). Options that would give
 * other CIDs are refused rather than silently ignored, so a client never
 * records a CID we do not produce. One JSON line per file, then one per
 * directory, children first, as Kubo sends them — but only once the whole add
 * has succeeded: Kubo reports a failure after the first line in an
 * `X-Stream-Error` trailer that kubo-rpc-client never reads, so a client would
 * see a cut connection instead of the reason (a path refused, a directory too
 * large). The lines are small (one per entry), never file bytes.
 */
import { parseMultipart } from '../multipart.ts'
import { boolParam, sendJsonLines } from '../request-context.ts'
import { RpcError } from '../rpc-error.ts'
import { addEntries } from './add-entries.ts'
import type { RequestContext } from '../request-context.ts'

/** Values our profile produces; anything else for these options is refused. */
const PROFILE: Record<string, string[]> = {
  'cid-version': ['1'],
  'raw-leaves': ['true', ''],
  chunker: ['size-1048576'],
  hash: ['sha2-256'],
  trickle: ['false'],
  'only-hash': ['false'],
  inline: ['false'],
  'preserve-mode': ['false'],
  'preserve-mtime': ['false']
}

export async function add ({ kit, req, query, signal, res }: RequestContext): Promise<void> {
  for (const [name, allowed] of Object.entries(PROFILE)) {
    const value = query.get(name)
    if (value != null && !allowed.includes(value)) {
      throw new RpcError(400, `${name}=${value} is not supported: this node imports with the unixfs-v1-2025 profile (${name}=${allowed[0]})`)
    }
  }
  const pin = boolParam(query, 'pin', true)
  const wrap = boolParam(query, 'wrap-with-directory', false)
  const lines = []
  for await (const line of addEntries(kit, parseMultipart(req, { signal }), { pin, wrap, signal })) lines.push(line)
  await sendJsonLines(res, lines, signal)
}
