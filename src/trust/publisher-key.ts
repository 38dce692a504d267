/**
 * The data directory's publisher key: the Ed25519 key that signs what this
 * node publishes (model manifests, yanks). A file of its own,
 * `<dataDir>/publisher.key`, mode 0600, separate from the libp2p identity:
 * several machines may publish as one publisher (`key export` / `key import`)
 * while each keeps its own peer id — sharing a libp2p key would give two
 * nodes one peer id, which libp2p cannot tell apart.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { PUBLISHER_KEY_FILE } from '../constants.ts'
import { InvalidInputError } from '../errors.ts'
import { publisherId } from './publisher-id.ts'
import type { PrivateKey } from '@libp2p/interface'

/** First line of a publisher key file: what it is, so a wrong file is refused with a message. */
const HEADER = 'ipfs-kit publisher key v1'

export interface PublisherKey {
  readonly privateKey: PrivateKey
  /** The public id (did:key) that trust records and `trusted_publishers` name. */
  readonly id: string
}

function encode (key: PrivateKey): string {
  return `${HEADER}\n${Buffer.from(privateKeyToProtobuf(key)).toString('base64')}\n`
}

function decode (text: string, source: string): PublisherKey {
  const lines = text.trim().split(/\r?\n/)
  if (lines[0] !== HEADER || lines[1] == null) throw new InvalidInputError(`${source} is not an ipfs-kit publisher key (its first line must be "${HEADER}")`)
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(Buffer.from(lines[1] ?? '', 'base64'))
  } catch (err: any) {
    throw new InvalidInputError(`${source}: the key does not decode (${err.message})`)
  }
  if (privateKey.type !== 'Ed25519') throw new InvalidInputError(`${source}: a publisher key is Ed25519, not ${privateKey.type}`)
  return { privateKey, id: publisherId(privateKey.publicKey) }
}

/** Write `text` to `file` with mode 0600 from its creation (never readable by others, whatever the umask). */
async function writeSecret (file: string, text: string, flag: 'wx' | 'w'): Promise<void> {
  const handle = await fs.open(file, flag, 0o600)
  try {
    await handle.chmod(0o600)
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** The key of `dataDir`, made on first use. */
export async function loadOrCreatePublisherKey (dataDir: string): Promise<PublisherKey> {
  const file = path.join(dataDir, PUBLISHER_KEY_FILE)
  try {
    return decode(await fs.readFile(file, 'utf8'), file)
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw err
  }
  const key = await generateKeyPair('Ed25519')
  try {
    await writeSecret(file, encode(key), 'wx')
  } catch (err: any) {
    // another process made it first: use theirs
    if (err.code === 'EEXIST') return decode(await fs.readFile(file, 'utf8'), file)
    throw err
  }
  return { privateKey: key, id: publisherId(key.publicKey) }
}

/** Copy the data directory's publisher key to `file` (0600). The file is a secret: whoever holds it publishes as this publisher. */
export async function exportPublisherKey (dataDir: string, file: string): Promise<PublisherKey> {
  const key = await loadOrCreatePublisherKey(dataDir)
  await writeSecret(file, encode(key.privateKey), 'wx')
  return key
}

/** Make the key in `file` this data directory's publisher key (the old one is replaced). */
export async function importPublisherKey (dataDir: string, file: string): Promise<PublisherKey> {
  const key = decode(await fs.readFile(file, 'utf8'), file)
  const target = path.join(dataDir, PUBLISHER_KEY_FILE)
  const temp = `${target}.${process.pid}.tmp`
  await writeSecret(temp, encode(key.privateKey), 'w')
  await fs.rename(temp, target)
  return key
}
