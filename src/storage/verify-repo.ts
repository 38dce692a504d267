/**
 * `verify`: read every block and check its hash; list the corrupt ones and
 * the blocks pinned DAGs lack. With `repair`, corrupt blocks (already moved to
 * quarantine by the read) and missing blocks of pins and listed files are
 * fetched again from peers; what no peer could supply is reported. Blocks in
 * the cold tier count as present; `repair` reads them from the bucket and
 * hashes them there instead of fetching them from peers.
 */
import { CustomProgressEvent } from 'progress-events'
import { blockKey, keyToCid } from '../blocks/index.ts'
import { walkDag } from '../pins/index.ts'
import type { StorageComponents } from './storage.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { ProgressEvent, ProgressOptions } from 'progress-events'
import { REPAIR_FETCH_TIMEOUT_MS } from '../constants.ts'


export type VerifyProgressEvents =
  ProgressEvent<'verify:block', { checked: number }> |
  ProgressEvent<'verify:repair', { root: string, complete: boolean }>

export interface VerifyOptions extends AbortOptions, ProgressOptions<VerifyProgressEvents> {
  /** Fetch corrupt and missing blocks again from peers. @default false */
  repair?: boolean
  /** Per-block wait for peers while repairing. @default REPAIR_FETCH_TIMEOUT_MS */
  fetchTimeoutMs?: number
}

export interface VerifyResult {
  /** Blocks read and hashed. */
  checked: number
  /** Blocks that failed their hash (now in quarantine), as CIDs of their multihash. */
  corrupt: string[]
  /** Blocks that pinned DAGs name but the store lacks (corrupt ones not repeated). */
  missing: string[]
  /** With `repair`: corrupt or missing blocks that are back, verified. */
  repaired: string[]
  /** Pins still missing blocks after the run (all damaged pins when not repairing or offline). */
  incompletePins: string[]
  /** Pinned blocks found in the cold tier rather than on disk (with `repair`: read there and hashed). */
  cold: number
}

/** The storage components verify uses (`fetcher` absent offline: no repair from peers). */
export type VerifyComponents = Pick<StorageComponents, 'blockstore' | 'pins' | 'fileRefs' | 'files' | 'gcLock' | 'fetcher'>

export async function verifyRepo (c: VerifyComponents, options: VerifyOptions = {}): Promise<VerifyResult> {
  // the read side: gc must not remove blocks while we judge what is missing
  const release = await c.gcLock.read()
  try {
    const present = new Set<string>()
    const corrupt: string[] = []
    let checked = 0
    for await (const { cid } of c.blockstore.list(options)) {
      checked++
      try {
        await c.blockstore.getBytes(cid, { signal: options.signal, noCache: true })
        present.add(blockKey(cid))
      } catch (err: any) {
        if (err.name !== 'NotFoundError') throw err
        corrupt.push(blockKey(cid))
      }
      if (checked % 256 === 0) options.onProgress?.(new CustomProgressEvent('verify:block', { checked }))
    }

    const damagedPins = new Map<string, CID>()
    const missing = new Set<string>()
    const inCold = new Map<string, boolean>() // key → verified in the bucket (with repair) or indexed there
    const isCold = async (key: string): Promise<boolean> => {
      let cold = inCold.get(key)
      if (cold == null) {
        cold = await c.blockstore.has(keyToCid(key)) // not on disk: the cold tier's index
        // repair checks it where it is: read from the bucket and hashed (a corrupt one is quarantined there)
        if (cold && options.repair === true) cold = await c.blockstore.getBytes(keyToCid(key), { signal: options.signal }).then(() => true, (err: any) => { if (err.name !== 'NotFoundError') throw err; return false })
        if (cold) coldChecked++
        inCold.set(key, cold)
      }
      return cold
    }
    let coldChecked = 0
    for await (const pin of c.pins.ls()) {
      for (const key of await c.pins.blocksOf(pin.cid) ?? []) {
        if (present.has(key) || await isCold(key)) continue
        damagedPins.set(pin.cid.toString(), pin.cid)
        if (!corrupt.includes(key)) missing.add(key)
      }
    }

    const repaired: string[] = []
    let incomplete = [...damagedPins.keys()]
    const fetcher = options.repair === true ? c.fetcher?.({ timeoutMs: options.fetchTimeoutMs ?? REPAIR_FETCH_TIMEOUT_MS }) : undefined
    if (fetcher != null) {
      incomplete = []
      const roots = new Map(damagedPins)
      for await (const entry of c.files.entries()) roots.set(entry.cid.toString(), entry.cid)
      for (const [name, root] of roots) {
        let complete = true
        try {
          await walkDag(fetcher, root, options)
        } catch (err: any) {
          if (err.name !== 'NotFoundError') throw err
          complete = false
          if (damagedPins.has(name)) incomplete.push(name)
        }
        options.onProgress?.(new CustomProgressEvent('verify:repair', { root: name, complete }))
      }
      for (const key of [...corrupt, ...missing]) {
        if (await c.blockstore.has(keyToCid(key))) repaired.push(key)
      }
    }

    const toCid = (key: string): string => keyToCid(key).toString()
    return {
      checked,
      corrupt: corrupt.map(toCid),
      missing: [...missing].map(toCid),
      repaired: repaired.map(toCid),
      incompletePins: incomplete,
      cold: coldChecked
    }
  } finally {
    release()
  }
}
