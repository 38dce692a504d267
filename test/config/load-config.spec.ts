/** Loading: embedded defaults ← file ← overrides, then `${VAR}`, `${cache_dir}` and `~` expansion. */
import { homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../src/config/index.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url))

describe('loadConfig', () => {
  it('reads the embedded config/ipfs-kit.yaml of this package', () => {
    expect(DEFAULT_CONFIG_PATH).toBe(fileURLToPath(new URL('../../config/ipfs-kit.yaml', import.meta.url)))
  })

  it('returns sizes in bytes and durations in milliseconds', () => {
    const config = loadConfig({ env: {}, dataDir: '/data' })
    expect(config.ipfs_kit.performance.max_cache_size).toBe(10e9)
    expect(config.ipfs_kit.performance.gc_interval).toBe(3_600_000)
  })

  it('merges a file over the defaults, keeping what it does not set', () => {
    const config = loadConfig({ file: fixture('custom.yaml'), env: { KIT_TEST_ROOT: '/srv', KIT_TEST_BUCKET: 'weights' } })
    const settings = config.ipfs_kit
    expect(settings.performance).toMatchObject({ max_cache_size: 512 * 1024 ** 2, gc_interval: 1_800_000, connection_pool_size: 10 })
    expect(settings.node.listen).toEqual(['/ip4/127.0.0.1/tcp/4999'])
    expect(settings.node.dht_protocol).toBe('/ipfs-kit/kad/1.0.0')
    expect(settings.backends.s3).toMatchObject({ enabled: false, bucket: 'weights', region: 'us-west-2', pack_size: 64 * 1024 * 1024 })
  })

  it('treats a file with only comments as empty', () => {
    expect(loadConfig({ file: fixture('empty.yaml'), env: {}, dataDir: '/d' })).toEqual(loadConfig({ env: {}, dataDir: '/d' }))
  })

  it('merges overrides over the file, replacing lists whole', () => {
    const config = loadConfig({
      file: fixture('custom.yaml'),
      env: { KIT_TEST_ROOT: '/srv' },
      overrides: { ipfs_kit: { performance: { max_cache_size: 1000 }, node: { listen: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'] } } }
    })
    expect(config.ipfs_kit.performance.max_cache_size).toBe(1000)
    expect(config.ipfs_kit.performance.gc_interval).toBe(1_800_000)
    expect(config.ipfs_kit.node.listen).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
  })

  describe('expansion', () => {
    it('expands ${VAR} from the given environment, and an unset variable to empty', () => {
      const withVar = loadConfig({ env: { FILECOIN_API_KEY: 'secret-key' }, dataDir: '/d' })
      expect(withVar.ipfs_kit.backends.filecoin.api_key).toBe('secret-key')
      const without = loadConfig({ env: {}, dataDir: '/d' })
      expect(without.ipfs_kit.backends.filecoin.api_key).toBe('')
    })

    it('expands ${VAR} inside a longer string and in lists', () => {
      const config = loadConfig({
        env: { HOSTIP: '10.1.2.3', PORT: '4200' },
        dataDir: '/d',
        overrides: { ipfs_kit: { backends: { ipfs: { gateway: 'http://${HOSTIP}:8080/ipfs' } }, node: { listen: ['/ip4/${HOSTIP}/tcp/${PORT}'] } } }
      })
      expect(config.ipfs_kit.backends.ipfs.gateway).toBe('http://10.1.2.3:8080/ipfs')
      expect(config.ipfs_kit.node.listen).toEqual(['/ip4/10.1.2.3/tcp/4200'])
    })

    it('expands ${cache_dir} to the data directory the caller chose', () => {
      const config = loadConfig({ env: {}, dataDir: '/var/lib/kit' })
      expect(config.ipfs_kit.backends.local.path).toBe('/var/lib/kit/local')
    })

    it('expands ${cache_dir} to the configured cache_dir, itself expanded', () => {
      const config = loadConfig({ file: fixture('custom.yaml'), env: { KIT_TEST_ROOT: '/srv' } })
      expect(config.ipfs_kit.cache_dir).toBe('/srv/cache')
      expect(config.ipfs_kit.backends.local.path).toBe('/srv/cache/blobs')
    })

    it('expands ${cache_dir} to the directory the environment selects', () => {
      const config = loadConfig({ env: { IPFS_KIT_CACHE_DIR: '/from/env' } })
      expect(config.ipfs_kit.backends.local.path).toBe('/from/env/local')
    })

    it('expands ${cache_dir} to ~/.cache/ipfs_accelerate when nothing selects a directory', () => {
      const config = loadConfig({ env: {} })
      expect(config.ipfs_kit.backends.local.path).toBe(path.join(homedir(), '.cache', 'ipfs_accelerate', 'local'))
    })

    it('expands a leading ~ to the home directory, and only a leading one', () => {
      const config = loadConfig({
        env: {},
        overrides: { ipfs_kit: { cache_dir: '~/models', backends: { s3: { bucket: 'a~b' } } } }
      })
      expect(config.ipfs_kit.cache_dir).toBe(path.join(homedir(), 'models'))
      expect(config.ipfs_kit.backends.local.path).toBe(path.join(homedir(), 'models', 'local'))
      expect(config.ipfs_kit.backends.s3.bucket).toBe('a~b')
    })

    it('leaves $VAR without braces alone', () => {
      const config = loadConfig({ env: { BUCKET: 'x' }, dataDir: '/d', overrides: { ipfs_kit: { backends: { s3: { bucket: '$BUCKET' } } } } })
      expect(config.ipfs_kit.backends.s3.bucket).toBe('$BUCKET')
    })
  })
})
