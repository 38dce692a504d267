/**
 * Private networks: the swarm key (libp2p pnet) that every member of a private
 * cluster shares. A node without it cannot complete a connection to one that
 * has it: each side XORs its stream with XSalsa20 keyed by the swarm key
 * before the noise handshake, so a wrong or missing key garbles the handshake.
 *
 * The key text is Kubo's `swarm.key` format (go-libp2p `pnet.DecodeV1PSK`):
 *
 * ```
 * /key/swarm/psk/1.0.0/
 * /base16/
 * <64 hex digits>
 * ```
 *
 * so one `swarm.key` serves a Kubo node and an ipfs-kit node alike. `/base64/`
 * keys are read too; `/base32/` and `/bin/` are refused with a message.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.ts'

/** First line of a version 1 swarm key. A setting that starts with it is the key itself, not a path. */
export const SWARM_KEY_HEADER = '/key/swarm/psk/1.0.0/'

/** pnet keys XSalsa20 with 32 bytes; the format, not a tunable. */
const KEY_BYTES = 32

export interface SwarmKey {
  /** The 32-byte pre-shared key. */
  readonly bytes: Uint8Array
  /** Where the key came from, for messages: `swarm key file <path>` or `inline swarm key`. */
  readonly source: string
}

/**
 * Parse swarm key text. Lines may end in `\n` or `\r\n`, and any whitespace
 * may separate the three parts, so a key can also be written on one line
 * (handy in an environment variable).
 *
 * @param source - names the key in errors, never the key bytes
 * @throws ConfigError when the header, encoding or key length is wrong
 * @example
 * parseSwarmKey(generateSwarmKey(), 'test').bytes.length // 32
 */
export function parseSwarmKey (text: string, source: string): SwarmKey {
  function fail (reason: string): never {
    throw new ConfigError(`${source}: ${reason}`)
  }
  const [header, encoding, encoded, ...rest] = text.trim().split(/\s+/)
  if (header !== SWARM_KEY_HEADER) fail(`first line must be ${SWARM_KEY_HEADER}`)
  if (encoded == null) fail('expected three lines: the header, the encoding (/base16/) and the key')
  if (rest.length > 0) fail('unexpected text after the key')

  let bytes: Buffer
  if (encoding === '/base16/') {
    if (!/^[0-9a-fA-F]+$/.test(encoded)) fail('the key line must be hex digits')
    bytes = Buffer.from(encoded, 'hex')
  } else if (encoding === '/base64/') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) fail('the key line must be base64')
    bytes = Buffer.from(encoded, 'base64')
  } else {
    fail(`unsupported encoding ${String(encoding)}: ipfs-kit reads /base16/ (what ipfs-swarm-key-gen writes) and /base64/`)
  }
  if (bytes.length !== KEY_BYTES) {
    fail(`the key must be ${KEY_BYTES} bytes (${KEY_BYTES * 2} hex digits), got ${bytes.length} bytes (${encoded.length} characters)`)
  }
  return { bytes: new Uint8Array(bytes), source }
}

/**
 * Read the key that `node.swarm_key` names: the key text itself when the
 * setting starts with {@link SWARM_KEY_HEADER}, else the path of a key file
 * (`~` and `${VAR}` are already expanded by the config loader).
 *
 * @throws ConfigError naming the file (never the key) when it cannot be read or parsed
 */
export function readSwarmKey (setting: string): SwarmKey {
  if (setting.startsWith(SWARM_KEY_HEADER)) return parseSwarmKey(setting, 'inline swarm key')
  const source = `swarm key file ${setting}`
  let text: string
  try {
    text = readFileSync(setting, 'utf8')
  } catch (err: any) {
    throw new ConfigError(`${source}: cannot read it (${err.code ?? err.message})`, { cause: err })
  }
  return parseSwarmKey(text, source)
}

/** The canonical text of a key (`/base16/`, lower-case hex, trailing newline), as Kubo and @libp2p/pnet read it. */
export function formatSwarmKey (bytes: Uint8Array): string {
  return `${SWARM_KEY_HEADER}\n/base16/\n${Buffer.from(bytes).toString('hex')}\n`
}

/**
 * A new random swarm key, as text to save in a `swarm.key` file shared by
 * every member of the cluster.
 *
 * @example
 * writeFileSync('swarm.key', generateSwarmKey(), { mode: 0o600 })
 */
export function generateSwarmKey (): string {
  return formatSwarmKey(randomBytes(KEY_BYTES))
}
