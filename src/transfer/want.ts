/** A block a transfer session is waiting for, and the marks providers left on it. */
import { TRANSFER_BATCH_BLOCKS, TRANSFER_LACK_RETRY_MS } from '../constants.ts'
import type { Provider } from './provider.ts'
import type { CID } from 'multiformats/cid'

export interface Want {
  cid: CID
  key: string
  promise: Promise<Uint8Array>
  resolve(bytes: Uint8Array): void
  reject(err: Error): void
  done: boolean
  /** Handed to the fallback source. */
  fallback: boolean
  /** Providers that said they do not have it, and when (a peer that is itself fetching may have it later). */
  lacking: Map<string, number>
  /** Providers that sent us elsewhere for it, and when (not held against them as lacking). */
  deferred: Map<string, number>
  /** The peer a provider said has it (ELSEWHERE), and when. */
  hint?: string
  hintAt?: number
  /** Providers it is asked of now. */
  at: Set<string>
  dispatchedAt: number
  createdAt: number
  timer: ReturnType<typeof setTimeout>
}

/** True while `provider` is known to lack the block (for TRANSFER_LACK_RETRY_MS after it said so). */
export function lacks (w: Want, provider: string, now: number): boolean {
  return markedWithin(w.lacking, provider, now)
}

/** True while `provider` recently sent us elsewhere for the block. */
export function wasDeferred (w: Want, provider: string, now: number): boolean {
  return markedWithin(w.deferred, provider, now)
}

/** A provider's mark (lacking, deferred) on a want counts for TRANSFER_LACK_RETRY_MS. */
function markedWithin (marks: Map<string, number>, provider: string, now: number): boolean {
  const at = marks.get(provider)
  return at != null && now - at < TRANSFER_LACK_RETRY_MS
}


/**
 * Up to TRANSFER_BATCH_BLOCKS pending wants provider `p` may be asked for, taken off the queue:
 * first those another provider said `p` has, then the rest — rarest first when `rarity` is given
 * (the number of peers that announced a block: the fewest first), else in queue order, which is
 * also the order among equally rare ones (the queue is random: prefetch shuffles the leaves).
 */
export function takeBatch (p: Provider, pending: Want[], mayAsk: (w: Want) => boolean, rarity?: (w: Want) => number): Want[] {
  const taken: number[] = []
  for (let i = 0; i < pending.length && taken.length < TRANSFER_BATCH_BLOCKS; i++) {
    const w = pending[i] as Want
    if (w.hint === p.key && mayAsk(w)) taken.push(i)
  }
  if (taken.length < TRANSFER_BATCH_BLOCKS) {
    const rest: number[] = []
    for (let i = 0; i < pending.length; i++) {
      const w = pending[i] as Want
      if (w.hint !== p.key && mayAsk(w)) {
        rest.push(i)
        if (rarity == null && taken.length + rest.length === TRANSFER_BATCH_BLOCKS) break
      }
    }
    taken.push(...rarestFirst(rest, TRANSFER_BATCH_BLOCKS - taken.length, rarity == null ? undefined : i => rarity(pending[i] as Want)))
  }
  const batch = taken.map(i => pending[i] as Want)
  for (const i of [...taken].sort((a, b) => b - a)) pending.splice(i, 1)
  return batch
}

/** The `limit` items of `items` with the lowest `rarity` (all of them in order when absent), stable among equals. */
export function rarestFirst<T> (items: T[], limit: number, rarity?: (item: T) => number): T[] {
  if (rarity == null) return items.slice(0, limit)
  const ranked = items.map((item, order) => ({ item, order, rank: rarity(item) }))
  ranked.sort((a, b) => a.rank - b.rank || a.order - b.order)
  return ranked.slice(0, limit).map(r => r.item)
}

export async function raceSignal<T> (promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal == null) return await promise
  signal.throwIfAborted()
  let onAbort!: () => void
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
