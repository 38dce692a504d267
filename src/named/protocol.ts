/**
 * `/ipfs-kit/models/1.0.0` (and `/ipfs-kit/datasets/1.0.0`, the same code under the
 * dataset kind's id): one length-prefixed JSON request and one
 * response per stream. A provider answers which manifest root it holds for
 * a name (the name → root binding comes from the provider itself; the
 * manifest it names is content-addressed, so what is then fetched is
 * verified), and lists all its models for a peer that joins late.
 */
import { lpStream } from '@libp2p/utils'
import { MODELS_INDEX_ANSWER_PER_NAME, MODELS_MAX_ADDRESSES, MODELS_MAX_MESSAGE_BYTES, MODELS_PROTOCOL, MODELS_REQUEST_TIMEOUT_MS } from '../constants.ts'
import type { LocalRecord as LocalModel } from './types.ts'
import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'

export type ModelsRequest = { op: 'list' } | { op: 'resolve', name: string, revision?: string } | { op: 'index' }

/** A provider entry as a peer knows it: itself, or one it heard of. */
export interface IndexEntry {
  name: string
  peerId: string
  addresses: string[]
  revision: string
  root: string
}

export type ModelsResponse =
  { models: Array<Pick<LocalModel, 'name' | 'revision' | 'root'>>, referrals?: IndexEntry[] } |
  { providers: IndexEntry[] } |
  { error: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Answer requests: `list`/`resolve` from our local model index; `index` with
 * every provider we know of (ourselves and what we heard), so that a node
 * that connects late learns at once what was announced before it came.
 */
export async function handleModelsProtocol (libp2p: Libp2p, list: () => Promise<LocalModel[]>, known: () => IndexEntry[], protocol = MODELS_PROTOCOL): Promise<void> {
  await libp2p.handle(protocol, async (stream: Stream) => {
    const lp = lpStream(stream, { maxDataLength: MODELS_MAX_MESSAGE_BYTES })
    const signal = AbortSignal.timeout(MODELS_REQUEST_TIMEOUT_MS)
    try {
      const request = JSON.parse(decoder.decode((await lp.read({ signal })).subarray())) as ModelsRequest
      let response: ModelsResponse
      const models = (await list()).map(({ name, revision, root }) => ({ name, revision, root }))
      if (request.op === 'list') {
        response = { models }
      } else if (request.op === 'index') {
        const self = { peerId: libp2p.peerId.toString(), addresses: libp2p.getMultiaddrs().map(ma => ma.toString()) }
        // ours first, then what we heard (a few per name: the asker keeps only what a peer says of
        // itself and follows a few of the others as hints), one entry per peer in turn, cut to fit one message
        response = { providers: fitEntries([...models.map(m => ({ ...m, ...self })), ...byPeerInTurn(latestPerName(known(), MODELS_INDEX_ANSWER_PER_NAME))]) }
      } else if (request.op === 'resolve' && typeof request.name === 'string') {
        const matches = (m: { name: string, revision: string }): boolean => m.name === request.name && (request.revision == null || m.revision === request.revision)
        // what we hold, and who we heard holds it: the asker checks a referral with the provider itself
        response = { models: models.filter(matches), referrals: fitEntries(byPeerInTurn(known().filter(matches))) }
      } else {
        response = { error: 'unknown request' }
      }
      await lp.write(encoder.encode(JSON.stringify(response)), { signal })
      await stream.close({ signal })
    } catch (err: any) {
      stream.abort(err)
    }
  }, { runOnLimitedConnection: false })
}

/** Ask a peer for every provider it knows of. */
export async function askIndex (libp2p: Libp2p, peer: PeerId, options: AbortOptions = {}, protocol = MODELS_PROTOCOL): Promise<IndexEntry[]> {
  const response = await exchange(libp2p, peer, { op: 'index' }, options, protocol)
  if (!('providers' in response) || !Array.isArray(response.providers)) return []
  return response.providers.filter(isIndexEntry)
}

/** Ask a peer which of `name` it holds, and whom it heard holds it. */
export async function askResolve (libp2p: Libp2p, peer: PeerId, name: string, revision: string | undefined, options: AbortOptions = {}, protocol = MODELS_PROTOCOL): Promise<{ models: Array<Pick<LocalModel, 'name' | 'revision' | 'root'>>, referrals: IndexEntry[] }> {
  const response = await exchange(libp2p, peer, { op: 'resolve', name, revision }, options, protocol)
  if (!('models' in response) || !Array.isArray(response.models)) return { models: [], referrals: [] }
  return {
    models: response.models.filter(m => m?.name === name && typeof m?.revision === 'string' && typeof m?.root === 'string'),
    referrals: (Array.isArray(response.referrals) ? response.referrals : []).filter(isIndexEntry).filter(r => r.name === name)
  }
}

function isIndexEntry (p: any): p is IndexEntry {
  if (typeof p?.name !== 'string' || typeof p?.peerId !== 'string' || typeof p?.revision !== 'string' || typeof p?.root !== 'string' || !Array.isArray(p?.addresses)) return false
  p.addresses = boundedAddresses(p.addresses)
  return true
}

/** A peer's address list as we keep it: strings of at most 256 characters, at most MODELS_MAX_ADDRESSES of them. */
export function boundedAddresses (addresses: unknown): string[] {
  if (!Array.isArray(addresses)) return []
  return addresses.filter((a): a is string => typeof a === 'string' && a.length <= 256).slice(0, MODELS_MAX_ADDRESSES)
}

/**
 * At most `n` entries per name, the last ones of `entries` (the index lists them oldest heard
 * first). A whole index was up to 16 entries per name (~250 KB for a fleet's 50 models) for an
 * asker that stores only what the speaker says of itself and dials at most MODELS_MAX_REFERRALS
 * of the rest; asked on every connection, those answers made a 100-node fleet's start-up move
 * hundreds of MB (benchmarks/discovery-scale.ts).
 */
function latestPerName (entries: IndexEntry[], n: number): IndexEntry[] {
  const count = new Map<string, number>()
  const out: IndexEntry[] = []
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as IndexEntry
    const c = count.get(entry.name) ?? 0
    if (c >= n) continue
    count.set(entry.name, c + 1)
    out.push(entry)
  }
  return out.reverse()
}

/** Entries reordered so that each peer's first entry comes before any peer's second: a cut then spares every peer. */
function byPeerInTurn (entries: IndexEntry[]): IndexEntry[] {
  const groups = new Map<string, IndexEntry[]>()
  for (const entry of entries) {
    const group = groups.get(entry.peerId)
    if (group == null) groups.set(entry.peerId, [entry])
    else group.push(entry)
  }
  const out: IndexEntry[] = []
  for (let i = 0; out.length < entries.length; i++) {
    for (const group of groups.values()) if (i < group.length) out.push(group[i] as IndexEntry)
  }
  return out
}

/** The longest prefix of `entries` whose JSON fits one message with room to spare for the envelope. */
function fitEntries (entries: IndexEntry[], maxBytes = MODELS_MAX_MESSAGE_BYTES - 1024): IndexEntry[] {
  let bytes = 0
  for (let i = 0; i < entries.length; i++) {
    bytes += encoder.encode(JSON.stringify(entries[i])).byteLength + 1
    if (bytes > maxBytes) return entries.slice(0, i)
  }
  return entries
}

async function exchange (libp2p: Libp2p, peer: PeerId, request: ModelsRequest, options: AbortOptions, protocol: string): Promise<ModelsResponse> {
  const signal = AbortSignal.any([AbortSignal.timeout(MODELS_REQUEST_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
  const stream = await libp2p.dialProtocol(peer, protocol, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MODELS_MAX_MESSAGE_BYTES })
    await lp.write(encoder.encode(JSON.stringify(request)), { signal })
    const response = JSON.parse(decoder.decode((await lp.read({ signal })).subarray())) as ModelsResponse
    await stream.close({ signal }).catch(() => {})
    return response
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
