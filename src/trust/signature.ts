/**
 * Signing what binds a name to content. The signed bytes are a domain string
 * followed by the dag-json encoding of the record without its `publisher` and
 * `signature` fields (dag-json sorts keys: one encoding per record), so a
 * signature for one kind of record can never be replayed as another.
 */
import * as dagJson from '@ipld/dag-json'
import { InvalidInputError } from '../errors.ts'
import { parsePublisherId } from './publisher-id.ts'
import type { PublisherKey } from './publisher-key.ts'

/** Prefixed to every signed payload. */
const DOMAIN = new TextEncoder().encode('ipfs-kit signed record v1\n')
/** An Ed25519 signature is 64 bytes; base64 of it is 88 characters. */
const MAX_SIGNATURE_CHARS = 128

/** What a signed record carries besides its own fields. */
export interface Signed {
  /** The signer's publisher id (did:key). */
  publisher: string
  /** Base64 Ed25519 signature over the domain and the other fields. */
  signature: string
}

function payload (fields: object): Uint8Array {
  const body = dagJson.encode(fields)
  const out = new Uint8Array(DOMAIN.length + body.length)
  out.set(DOMAIN)
  out.set(body, DOMAIN.length)
  return out
}

/** `fields` with `publisher` and `signature` added. */
export async function sign<T extends object> (key: PublisherKey, fields: T): Promise<T & Signed> {
  const signature = await key.privateKey.sign(payload(fields))
  return { ...fields, publisher: key.id, signature: Buffer.from(signature).toString('base64') }
}

/**
 * Check a record's signature; returns its publisher id.
 *
 * @throws InvalidInputError when the publisher id or the signature is malformed or does not verify
 */
export async function verifySigned (record: Record<string, unknown>): Promise<string> {
  const { publisher, signature, ...fields } = record
  const key = parsePublisherId(publisher)
  if (typeof signature !== 'string' || signature.length > MAX_SIGNATURE_CHARS) throw new InvalidInputError('the record\'s signature is not a base64 string')
  const ok = await key.verify(payload(fields), Buffer.from(signature, 'base64'))
  if (!ok) throw new InvalidInputError(`the record's signature does not verify for ${String(publisher)}`)
  return publisher as string
}
