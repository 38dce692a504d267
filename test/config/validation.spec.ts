/**
 * A bad config fails at load with a ConfigError whose message is one line,
 * names the key path and says what was expected.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ConfigError, createKit } from '../../src/index.ts'
import { loadConfig } from '../../src/config/index.ts'
import type { KitConfigInput } from '../../src/index.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url))

function loadError (options: Parameters<typeof loadConfig>[0]): ConfigError {
  try {
    loadConfig({ env: {}, dataDir: '/d', ...options })
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    const configError = err as ConfigError
    expect(configError.name).toBe('ConfigError')
    expect(configError.code).toBe('ERR_CONFIG')
    expect(configError.hint).toMatch(/config/)
    expect(configError.message).not.toContain('\n')
    return configError
  }
  throw new Error('loadConfig accepted an invalid config')
}

describe('config validation', () => {
  describe.each([
    ['an unknown key', 'unknown-key.yaml', 'ipfs_kit.performance.max_cache_sise', /unknown key/],
    ['a wrong type', 'wrong-type.yaml', 'ipfs_kit.performance.connection_pool_size', /expected number, got string "ten"/],
    ['a bad size', 'bad-size.yaml', 'ipfs_kit.performance.max_cache_size', /expected a size like 10GB.*"10 gigs"/],
    ['a bad duration', 'bad-duration.yaml', 'ipfs_kit.performance.gc_interval', /expected a duration like 1h.*"every hour"/],
    ['a bad multiaddr', 'bad-multiaddr.yaml', 'ipfs_kit.node.bootstrap.1', /expected a multiaddr.*"10\.0\.0\.2:4101"/]
  ])('%s', (_, file, keyPath, expected) => {
    it('in a file: names the file, the key path and what was expected', () => {
      const err = loadError({ file: fixture(file) })
      expect(err.message).toContain(fixture(file))
      expect(err.message).toContain(`${keyPath}:`)
      expect(err.message).toMatch(expected)
    })
  })

  it.each<[string, KitConfigInput, string, RegExp]>([
    ['an unknown top-level key', { ipfs_kit: {}, extra: true } as KitConfigInput, 'extra', /unknown key/],
    ['a wrong type', { ipfs_kit: { enabled: 'yes' as unknown as boolean } }, 'ipfs_kit.enabled', /expected boolean, got string "yes"/],
    ['a non-integer pool size', { ipfs_kit: { performance: { connection_pool_size: 2.5 } } }, 'ipfs_kit.performance.connection_pool_size', /int/i],
    ['a negative size', { ipfs_kit: { performance: { max_cache_size: -5 } } }, 'ipfs_kit.performance.max_cache_size', /expected a size/],
    ['a bad duration', { ipfs_kit: { performance: { gc_interval: '1 fortnight' } } }, 'ipfs_kit.performance.gc_interval', /expected a duration/],
    ['a bad listen multiaddr', { ipfs_kit: { node: { listen: ['/ip4/127.0.0.1/tcpx/1'] } } }, 'ipfs_kit.node.listen.0', /expected a multiaddr/],
    ['an unknown backend', { ipfs_kit: { storage_policy: { default_backends: ['ftp' as 'local'] } } }, 'ipfs_kit.storage_policy.default_backends.0', /local.*ipfs.*s3.*filecoin/],
    ['a DHT protocol without a slash', { ipfs_kit: { node: { dht_protocol: 'kad' } } }, 'ipfs_kit.node.dht_protocol', /starting with \//],
    ['an empty cache_dir', { ipfs_kit: { cache_dir: '' } }, 'ipfs_kit.cache_dir', /1 char/]
  ])('in overrides, %s: names %s', (_, overrides, keyPath, expected) => {
    const err = loadError({ overrides })
    expect(err.message).toContain(`${keyPath}:`)
    expect(err.message).toMatch(expected)
  })

  it('reports a value that does not parse as YAML, naming the file, on one line', () => {
    const err = loadError({ file: fixture('invalid.yaml') })
    expect(err.message).toContain(fixture('invalid.yaml'))
    expect(err.message).toMatch(/not valid YAML/)
    expect(err.cause).toBeInstanceOf(Error)
  })

  it('reports a missing file, naming it', () => {
    const missing = fixture('does-not-exist.yaml')
    const err = loadError({ file: missing })
    expect(err.message).toContain(missing)
    expect(err.message).toContain('ENOENT')
  })

  it('fails createKit before touching the data directory', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ipfs-kit-config-'))
    try {
      const dataDir = path.join(root, 'never-created')
      await expect(createKit({ offline: true, dataDir, env: {}, config: { ipfs_kit: { performance: { max_cache_size: 'lots' } } } }))
        .rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('ipfs_kit.performance.max_cache_size') })
      await expect(fs.stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await fs.rm(root, { recursive: true, force: true })
    }
  })
})
