/**
 * Preheat: have members pull a model or a dataset now, before they need it.
 * The asking side picks the members (live, with every `--tag` asked, most free
 * space first) and sends them the request at once; the member's side pulls
 * (which verifies and pins) but first reads the manifest's total size, from
 * the pull's `…:pull:manifest` event before any file is fetched, and refuses
 * past `seeding.replica_max_bytes` or its free space, saying which.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { SEEDING_PREHEAT_TIMEOUT_MS } from '../../constants.ts'
import { WIRE_VERSION } from './messages.ts'
import { sendSeedingMessage } from './protocol.ts'
import type { Member } from './members.ts'
import type { Message, PreheatKind, PreheatRequest } from './messages.ts'
import type { Libp2p } from '@libp2p/interface'
import type { ProgressEvent } from 'progress-events'

/** One member's outcome of a preheat. */
export interface PreheatResult {
  peerId: string
  ok: boolean
  /** Why it did not pull (its refusal, e.g. over its size limit, or a failure, or no answer). */
  error?: string
}

/** Pull a model or dataset whole; `onProgress` sees the pull's events (the manifest's size first). */
export type PreheatPull = (kind: PreheatKind, name: string, options: { revision?: string, signal: AbortSignal, onProgress(event: ProgressEvent): void }) => Promise<void>

export interface PreheatAsk {
  kind: PreheatKind
  name: string
  revision?: string
  /** `'all'` or how many. */
  count: number | 'all'
  /** Only members whose tags include every pair. */
  tags?: Readonly<Record<string, string>>
}

/** The live members a preheat goes to: with every tag asked, most free space first, `count` of them. */
export function preheatTargets (live: readonly Member[], ask: Pick<PreheatAsk, 'count' | 'tags'>): Member[] {
  const tagged = live.filter(m => Object.entries(ask.tags ?? {}).every(([k, v]) => m.tags[k] === v))
    .sort((a, b) => b.free - a.free || a.peerId.localeCompare(b.peerId))
  return ask.count === 'all' ? tagged : tagged.slice(0, ask.count)
}

/** Send the request to every target at once; each member's outcome as it answers. */
export async function sendPreheat (libp2p: Libp2p, targets: readonly Member[], ask: PreheatAsk, onPeer: (result: PreheatResult) => void): Promise<PreheatResult[]> {
  const message: Message = { v: WIRE_VERSION, op: 'preheat', name: ask.name, kind: ask.kind, ...(ask.revision == null ? {} : { revision: ask.revision }) }
  return await Promise.all(targets.map(async member => {
    const error = await sendSeedingMessage(libp2p, peerIdFromString(member.peerId), message, SEEDING_PREHEAT_TIMEOUT_MS).catch((err: Error) => err.message)
    const result: PreheatResult = error == null ? { peerId: member.peerId, ok: true } : { peerId: member.peerId, ok: false, error }
    onPeer(result)
    return result
  }))
}

/** A member's side: pull within `limitBytes` (the smaller of replica_max_bytes and free space); the refusal or failure, or undefined. */
export async function servePreheat (pull: PreheatPull, request: PreheatRequest, limits: { maxBytes: number, freeBytes: number }): Promise<string | undefined> {
  const controller = new AbortController()
  let refusal: string | undefined
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(SEEDING_PREHEAT_TIMEOUT_MS)])
  try {
    await pull(request.kind, request.name, {
      revision: request.revision,
      signal,
      onProgress: event => {
        if (!event.type.endsWith(':pull:manifest')) return
        const total = Number((event.detail as { bytesTotal?: unknown })?.bytesTotal)
        if (!Number.isFinite(total)) return
        if (total > limits.maxBytes) refusal = `refused: ${request.kind} ${request.name} is ${total} bytes, over seeding.replica_max_bytes (${limits.maxBytes})`
        else if (total > limits.freeBytes) refusal = `refused: ${request.kind} ${request.name} is ${total} bytes, over this node's free space (${limits.freeBytes})`
        if (refusal != null) controller.abort(new Error(refusal))
      }
    })
    return undefined
  } catch (err: any) {
    return refusal ?? `${String(err.name)}: ${String(err.message)}`.slice(0, 512)
  }
}
