/** The swarm key: Kubo's `swarm.key` format, read from a file or inline, checked when the config loads. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.ts'
import { formatSwarmKey, generateSwarmKey, parseSwarmKey, readSwarmKey } from '../../src/config/index.ts'

// the example key of @libp2p/pnet's README, as Kubo's ipfs-swarm-key-gen writes it
const HEX = 'dffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d'
const KUBO_KEY = `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n`

describe('parseSwarmKey', () => {
  it('reads a Kubo base16 key into its 32 bytes', () => {
    const key = parseSwarmKey(KUBO_KEY, 'test key')
    expect(Buffer.from(key.bytes).toString('hex')).toBe(HEX)
    expect(key.source).toBe('test key')
  })

  it('accepts CRLF line ends, upper-case hex and a key written on one line', () => {
    const expected = parseSwarmKey(KUBO_KEY, 'a').bytes
    expect(parseSwarmKey(`/key/swarm/psk/1.0.0/\r\n/base16/\r\n${HEX.toUpperCase()}\r\n`, 'b').bytes).toEqual(expected)
    expect(parseSwarmKey(`/key/swarm/psk/1.0.0/ /base16/ ${HEX}`, 'c').bytes).toEqual(expected)
  })

  it('reads a base64 key to the same bytes as its base16 form', () => {
    const base64 = Buffer.from(HEX, 'hex').toString('base64')
    expect(parseSwarmKey(`/key/swarm/psk/1.0.0/\n/base64/\n${base64}\n`, 'b64').bytes).toEqual(parseSwarmKey(KUBO_KEY, 'b16').bytes)
  })

  it('refuses a bad header, naming the source but not echoing the key', () => {
    const parse = (): unknown => parseSwarmKey(`/key/swarm/psk/2.0.0/\n/base16/\n${HEX}\n`, 'swarm key file /etc/k')
    expect(parse).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('swarm key file /etc/k: first line must be /key/swarm/psk/1.0.0/') }))
    try { parse() } catch (err: any) { expect(err.message).not.toContain(HEX) }
  })

  it.each([
    ['63 hex digits', HEX.slice(1)],
    ['62 hex digits', HEX.slice(2)],
    ['66 hex digits', HEX + 'ab']
  ])('refuses a key of %s', (_, hex) => {
    expect(() => parseSwarmKey(`/key/swarm/psk/1.0.0/\n/base16/\n${hex}\n`, 'k')).toThrow(/must be 32 bytes \(64 hex digits\)/)
  })

  it('refuses non-hex digits, a missing key line, trailing text and unsupported encodings', () => {
    expect(() => parseSwarmKey(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(1)}g\n`, 'k')).toThrow(/must be hex digits/)
    expect(() => parseSwarmKey('/key/swarm/psk/1.0.0/\n/base16/\n', 'k')).toThrow(/expected three lines/)
    expect(() => parseSwarmKey(`${KUBO_KEY}extra\n`, 'k')).toThrow(/unexpected text after the key/)
    expect(() => parseSwarmKey(`/key/swarm/psk/1.0.0/\n/bin/\n${HEX}\n`, 'k')).toThrow(/unsupported encoding \/bin\//)
  })
})

describe('generateSwarmKey', () => {
  it('makes distinct keys that parse back, in the canonical form', () => {
    const a = generateSwarmKey()
    const b = generateSwarmKey()
    expect(a).not.toBe(b)
    expect(a).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
    expect(formatSwarmKey(parseSwarmKey(a, 'a').bytes)).toBe(a)
  })
})

describe('node.swarm_key in the config', () => {
  let dir: string
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-swarm-key-')) })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('is null by default (a public network)', () => {
    expect(loadConfig({ env: {} }).ipfs_kit.node.swarm_key).toBeNull()
  })

  it('takes a key file path, expanding ${VAR}', async () => {
    await writeFile(join(dir, 'swarm.key'), KUBO_KEY)
    const config = loadConfig({ env: { KEYS: dir }, overrides: { ipfs_kit: { node: { swarm_key: '${KEYS}/swarm.key' } } } })
    expect(config.ipfs_kit.node.swarm_key).toBe(join(dir, 'swarm.key'))
    expect(readSwarmKey(join(dir, 'swarm.key')).source).toBe(`swarm key file ${join(dir, 'swarm.key')}`)
  })

  it('takes the key text inline, e.g. from an environment variable', () => {
    const config = loadConfig({ env: { SWARM_KEY: KUBO_KEY }, overrides: { ipfs_kit: { node: { swarm_key: '${SWARM_KEY}' } } } })
    expect(readSwarmKey(config.ipfs_kit.node.swarm_key ?? '').source).toBe('inline swarm key')
  })

  it('fails to load with a ConfigError naming the config key and the file when the key file is malformed', async () => {
    const file = join(dir, 'short.key')
    await writeFile(file, `/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(2)}\n`)
    const load = (): unknown => loadConfig({ env: {}, overrides: { ipfs_kit: { node: { swarm_key: file } } } })
    expect(load).toThrow(expect.objectContaining({ name: 'ConfigError' }))
    expect(load).toThrow(`ipfs_kit.node.swarm_key: swarm key file ${file}: the key must be 32 bytes`)
  })

  it('fails to load when the key file is missing, or a ${VAR} naming it is unset', () => {
    const missing = join(dir, 'nope.key')
    expect(() => loadConfig({ env: {}, overrides: { ipfs_kit: { node: { swarm_key: missing } } } }))
      .toThrow(`ipfs_kit.node.swarm_key: swarm key file ${missing}: cannot read it (ENOENT)`)
    expect(() => loadConfig({ env: {}, overrides: { ipfs_kit: { node: { swarm_key: '${UNSET_KEY}' } } } }))
      .toThrow(/ipfs_kit\.node\.swarm_key: expected a swarm key file path or the key text, got an empty string/)
  })
})
