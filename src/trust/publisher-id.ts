/**
 * A publisher's public id: its Ed25519 public key as a `did:key` (multibase
 * base58btc of the multicodec `ed25519-pub` 0xed01 followed by the 32 key
 * bytes), the form other tools (UCAN, w3up) print, one string to paste into
 * `trusted_publishers`.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { base58btc } from 'multiformats/bases/base58'
import { InvalidInputError } from '../errors.ts'
import type { PublicKey } from '@libp2p/interface'

const DID_KEY_PREFIX = 'did:key:'
/** The multicodec varint of `ed25519-pub`. */
const ED25519_PUB = [0xed, 0x01]
const ED25519_KEY_BYTES = 32
const PUBLISHER_ID_HINT = 'a publisher id looks like did:key:z6Mk… (the publisher\'s `ipfs-kit id` prints it)'

export function publisherId (key: PublicKey): string {
  if (key.type !== 'Ed25519') throw new InvalidInputError(`a publisher key is Ed25519, not ${key.type}`)
  return DID_KEY_PREFIX + base58btc.encode(new Uint8Array([...ED25519_PUB, ...key.raw]))
}

/** @throws InvalidInputError when `id` is not an Ed25519 did:key */
export function parsePublisherId (id: unknown): PublicKey {
  if (typeof id !== 'string' || !id.startsWith(DID_KEY_PREFIX + 'z') || id.length > 64) throw new InvalidInputError(`not a publisher id (did:key:z6Mk…): ${JSON.stringify(id)?.slice(0, 80)}`, PUBLISHER_ID_HINT)
  let bytes: Uint8Array
  try {
    bytes = base58btc.decode(id.slice(DID_KEY_PREFIX.length))
  } catch (err: any) {
    throw new InvalidInputError(`not a publisher id: ${err.message}`, PUBLISHER_ID_HINT)
  }
  if (bytes.length !== ED25519_PUB.length + ED25519_KEY_BYTES || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) {
    throw new InvalidInputError(`not an Ed25519 publisher id: ${id}`, PUBLISHER_ID_HINT)
  }
  return publicKeyFromRaw(bytes.subarray(ED25519_PUB.length))
}

/** True when `id` parses as a publisher id. */
export function isPublisherId (id: unknown): id is string {
  try {
    parsePublisherId(id)
    return true
  } catch {
    return false
  }
}
