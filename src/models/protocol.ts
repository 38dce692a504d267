/**
 * `/ipfs-kit/models/1.0.0`: one length-prefixed JSON request and one
 * response per stream. A provider answers which manifest root it holds for
 * a name (the name → root binding comes from the provider itself; the
 * manifest it names is content-addressed, so what is then fetched is
 * verified), and lists all its models for a peer that joins late.
 */
import { lpStream } from '@libp2p/utils'
import { MODELS_MAX_MESSAGE_BYTES, MODELS_PROTOCOL, MODELS_REQUEST_TIMEOUT_MS } from '../constants.ts'
import type { LocalModel } from './types.ts'
import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'

export type ModelsRequest = { op: 'list' } | { op: 'resolve', name: string, revision?: string }
export type ModelsResponse = { models: Array<Pick<LocalModel, 'name' | 'revision' | 'root'>> } | { error: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Answer requests from our local model index. */
export async function handleModelsProtocol (libp2p: Libp2p, list: () => Promise<LocalModel[]>): Promise<void> {
  await libp2p.handle(MODELS_PROTOCOL, async (stream: Stream) => {
    const lp = lpStream(stream, { maxDataLength: MODELS_MAX_MESSAGE_BYTES })
    const signal = AbortSignal.timeout(MODELS_REQUEST_TIMEOUT_MS)
    try {
      const request = JSON.parse(decoder.decode((await lp.read({ signal })).subarray())) as ModelsRequest
      let response: ModelsResponse
      const models = (await list()).map(({ name, revision, root }) => ({ name, revision, root }))
      if (request.op === 'list') {
        response = { models }
      } else if (request.op === 'resolve' && typeof request.name === 'string') {
        response = { models: models.filter(m => m.name === request.name && (request.revision == null || m.revision === request.revision)) }
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

/** Ask a peer; resolves to its models matching the request (empty when it has none or does not answer in time). */
export async function askModels (libp2p: Libp2p, peer: PeerId, request: ModelsRequest, options: AbortOptions = {}): Promise<Array<Pick<LocalModel, 'name' | 'revision' | 'root'>>> {
  const signal = AbortSignal.any([AbortSignal.timeout(MODELS_REQUEST_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
  const stream = await libp2p.dialProtocol(peer, MODELS_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MODELS_MAX_MESSAGE_BYTES })
    await lp.write(encoder.encode(JSON.stringify(request)), { signal })
    const response = JSON.parse(decoder.decode((await lp.read({ signal })).subarray())) as ModelsResponse
    await stream.close({ signal }).catch(() => {})
    if (!('models' in response) || !Array.isArray(response.models)) return []
    return response.models.filter(m => typeof m?.name === 'string' && typeof m?.revision === 'string' && typeof m?.root === 'string')
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
