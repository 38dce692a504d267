/**
 * Multi-backend routing of `store`: after the import (blocks on the warm
 * disk), each requested backend gets the content; one that fails is reported
 * (`storage:backend-failed`, backend health) and the others go on. With `s3`
 * alone, the import goes straight to the cold tier instead (`importToCold`):
 * there is no other copy, so a failed upload fails the store.
 */
import { logger } from '@libp2p/logger'
import { CustomProgressEvent } from 'progress-events'
import { BackendDisabledError, InvalidInputError } from '../errors.ts'
import { importFile } from '../unixfs/index.ts'
import type { ImportFileResult } from '../unixfs/index.ts'
import type { ReusedFileChunks } from './file-chunks.ts'
import type { TierPolicy } from './tiers.ts'
import type { BackendHealth, BackendName, StoreOptions } from './types.ts'
import type { CID } from 'multiformats/cid'

const log = logger('ipfs-kit:storage:routing')

export const BACKEND_NAMES: readonly BackendName[] = ['local', 'ipfs', 's3', 'filecoin']

/** The last failure of each backend, as `store` met it. */
export class BackendFailures {
  private readonly failures = new Map<BackendName, string>()

  failed (backend: BackendName, err: Error): void { this.failures.set(backend, `${err.name}: ${err.message}`) }
  succeeded (backend: BackendName): void { this.failures.delete(backend) }

  /** A health record from whether the backend is enabled and the last failure. */
  health (backend: BackendName, enabled: boolean): BackendHealth {
    const error = this.failures.get(backend)
    return { enabled, healthy: enabled && error == null, ...(error == null ? {} : { error }) }
  }
}

/** The backends asked for, checked: a list of known names (the config's default when none). */
export function requestedBackends (asked: unknown, defaults: readonly BackendName[]): Set<BackendName> {
  if (asked == null) return new Set(defaults)
  if (!Array.isArray(asked) || asked.length === 0 || asked.some(b => !BACKEND_NAMES.includes(b))) {
    throw new InvalidInputError(`backends must be a non-empty list of ${BACKEND_NAMES.join(', ')}, got ${JSON.stringify(asked)}`)
  }
  return new Set(asked as BackendName[])
}

export interface RouteComponents {
  tiers: TierPolicy
  failures: BackendFailures
  /** Tell the routing layer we provide `cid` (`ipfs`). */
  announce(cid: CID): void
  /** False offline: `ipfs` then fails. */
  online(): boolean
}

/** Put stored content on each requested backend but the warm disk (where the import wrote it). The caller holds the gc lock's read side. */
export async function routeToBackends (c: RouteComponents, cid: CID, backends: Set<BackendName>, options: StoreOptions): Promise<void> {
  const fail = (backend: BackendName, err: Error): void => {
    log.error('storing %c on %s failed - %e', cid, backend, err)
    c.failures.failed(backend, err)
    options.onProgress?.(new CustomProgressEvent('storage:backend-failed', { backend, cid: cid.toString(), error: err }))
  }
  if (backends.has('s3') && !straightToCold(c.tiers, backends)) {
    try {
      if (c.tiers.cold == null) throw new BackendDisabledError('s3')
      if (backends.has('local')) await c.tiers.cold.put(cid, c.tiers.blocksOf(cid, { signal: options.signal }), { signal: options.signal })
      else await c.tiers.toCold(cid, { signal: options.signal })
      c.failures.succeeded('s3')
    } catch (err: any) {
      options.signal?.throwIfAborted()
      fail('s3', err)
    }
  }
  if (backends.has('filecoin')) fail('filecoin', new BackendDisabledError('filecoin'))
  if (backends.has('ipfs')) {
    if (c.online()) c.announce(cid)
    else if (options.backends != null) fail('ipfs', new InvalidInputError('the ipfs backend needs the network, but this node runs offline'))
  }
}

/**
 * True when `store` imports straight into the cold tier: `s3` is the only backend asked for and a
 * cold tier is enabled. With `local` or `ipfs` too, the blocks go to the warm disk first, so that a
 * failed upload leaves them there for the other backends (a failed backend never fails the others).
 */
export function straightToCold (tiers: TierPolicy, backends: Set<BackendName>): boolean {
  return backends.size === 1 && backends.has('s3') && tiers.cold != null
}

/**
 * Import a file straight into the cold tier: each block, hashed by the importer, is appended to
 * the pack being spooled (never written to the warm disk, then read back and hashed again), and a
 * full pack uploads while the next fills. Resolves once every pack is uploaded and in the local
 * index; the caller, holding the gc lock's read side, then pins and records. A failed upload fails
 * the import (the spool is removed) and is kept in the backend's health.
 */
export async function importToCold (c: Pick<RouteComponents, 'tiers' | 'failures'>, source: AsyncIterable<Uint8Array>, options: StoreOptions & { reused?: ReusedFileChunks }): Promise<ImportFileResult> {
  const cold = c.tiers.cold
  if (cold == null) throw new BackendDisabledError('s3')
  const writer = cold.writer({ signal: options.signal })
  const reused = options.reused
  // a block cut from a reused read buffer is held until the spool has its bytes (no copy)
  const put = async (cid: CID, bytes: Uint8Array): Promise<void> => {
    if (reused?.retain(bytes) !== true) { await writer.append(cid, bytes); return }
    try {
      await writer.append(cid, bytes)
    } finally {
      reused.release(bytes)
    }
  }
  try {
    const result = await importFile(source, { put }, { signal: options.signal })
    await writer.finish()
    c.failures.succeeded('s3')
    return result
  } catch (err: any) {
    await writer.discard()
    if (options.signal?.aborted !== true) c.failures.failed('s3', err)
    throw err
  }
}
