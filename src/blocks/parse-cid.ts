/** Parsing CIDs that cross a trust boundary (API callers, HTTP requests, manifests). */
import { CID } from 'multiformats/cid'
import { InvalidCIDError } from '../errors.ts'
import { assertAllowedCid } from './cid-policy.ts'

/** Parse a CID string, or throw InvalidCIDError (UnsupportedHashError for a hash we do not accept). */
export function parseCid (cid: string): CID {
  if (typeof cid !== 'string') throw new InvalidCIDError(String(cid))
  let parsed: CID
  try {
    parsed = CID.parse(cid.trim())
  } catch (err) {
    throw new InvalidCIDError(cid, { cause: err })
  }
  assertAllowedCid(parsed)
  return parsed
}
