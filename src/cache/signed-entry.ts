/**
 * The signed statement a writer makes about an entry: key digest → value CID,
 * size and expiry. It travels to peers that ask; they believe it only when the
 * signature verifies, the writer is trusted and the fields are sane, and they
 * then fetch the value by CID (so the bytes are verified against it).
 */
import { InvalidInputError } from '../errors.ts'
import { parseCid } from '../blocks/index.ts'
import { sign, verifySigned } from '../trust/index.ts'
import type { PublisherKey, Signed } from '../trust/index.ts'

export const ENTRY_TYPE = 'ipfs-kit/cache-entry'
export const ENTRY_VERSION = 1

export interface EntryFields {
  type: typeof ENTRY_TYPE
  version: typeof ENTRY_VERSION
  /** keyDigest(key): the key itself never leaves the node. */
  key: string
  cid: string
  size: number
  created: number
  /** ms since the epoch, or null: never. */
  expires: number | null
}

export type SignedEntry = EntryFields & Signed

export async function signEntry (key: PublisherKey, fields: Omit<EntryFields, 'type' | 'version'>): Promise<SignedEntry> {
  return await sign(key, { type: ENTRY_TYPE, version: ENTRY_VERSION, ...fields })
}

/**
 * Check an entry from a peer for `digest`: its shape, its signature and its writer.
 *
 * @throws InvalidInputError naming what is wrong (the peer is then ignored)
 */
export async function verifyEntry (entry: unknown, digest: string, trusted: (writer: string) => boolean, maxValueSize: number): Promise<SignedEntry> {
  const e = entry as Partial<SignedEntry> | null
  if (e == null || typeof e !== 'object') throw new InvalidInputError('the cache entry is not an object')
  if (e.type !== ENTRY_TYPE || e.version !== ENTRY_VERSION) throw new InvalidInputError('the cache entry has an unknown type or version')
  if (e.key !== digest) throw new InvalidInputError('the cache entry is for another key')
  if (typeof e.cid !== 'string') throw new InvalidInputError('the cache entry has no CID')
  parseCid(e.cid)
  if (!Number.isSafeInteger(e.size) || (e.size as number) < 0 || (e.size as number) > maxValueSize) throw new InvalidInputError('the cache entry\'s size is not a size this node accepts')
  if (!Number.isSafeInteger(e.created) || (e.expires !== null && !Number.isSafeInteger(e.expires))) throw new InvalidInputError('the cache entry\'s times are not integers')
  const { type, version, key, cid, size, created, expires, publisher, signature } = e as SignedEntry
  // exactly the signed fields: anything a peer adds is not covered by the signature
  const writer = await verifySigned({ type, version, key, cid, size, created, expires, publisher, signature })
  if (!trusted(writer)) throw new InvalidInputError(`the cache entry's writer ${writer} is not in cache.trusted_writers`)
  return { type, version, key, cid, size, created, expires, publisher, signature }
}
