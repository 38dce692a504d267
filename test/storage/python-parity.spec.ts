/**
 * Every behaviour the Python integration's 27 tests check
 * (ipfs_accelerate_py test/test_ipfs_kit_integration.py), ported to a real
 * offline kit on a temp dir. Where Python checked a placeholder (a fake
 * `bafy…` CID), these assert the real values Kubo gives.
 */
import fs from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { FsBlockstore } from '../../src/blocks/index.ts'
import {
  InputNotFoundError, InvalidCIDError, InvalidInputError, createKit, getStorage, loadConfig, parseDuration, parseSize,
  resetStorage, resolveDataDir
} from '../../src/index.ts'
import { envDisablesNetwork } from '../../src/config/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { HELLO_WORLD_CID } from '../fixtures/reference-cid.ts'

const sandbox = new Sandbox()
afterEach(async () => {
  await resetStorage()
  await sandbox.cleanup()
})

const text = (bytes: Uint8Array | undefined): string | undefined => bytes == null ? undefined : new TextDecoder().decode(bytes)

/** A valid CID nobody stored: the raw CID of the bytes "never stored". */
const UNKNOWN_CID = 'bafkreifwqvs46vuze47wuimepm76irzgg5gl23b37xecsut7dwzkaucdie'

describe('initialisation (Python: test_init_*, test_cache_dir_creation, test_default_cache_dir)', () => {
  it('creates a nested data directory that does not exist yet', async () => {
    const root = await sandbox.dir()
    const dataDir = path.join(root, 'a', 'b', 'cache')
    const kit = await sandbox.kit({ dataDir })
    expect(kit.dataDir).toBe(dataDir)
    expect((await fs.stat(dataDir)).isDirectory()).toBe(true)
    const status = await kit.storage.status()
    expect(status.cacheDir).toBe(dataDir)
    expect(status.usingFallback).toBe(true)
  })

  it.each(['1', 'true', 'yes', 'TRUE', 'Yes', ' yes '])('runs offline when IPFS_KIT_DISABLE=%j', async value => {
    const kit = await sandbox.kit({ offline: false, env: { IPFS_KIT_DISABLE: value } })
    expect(kit.offline).toBe(true)
    expect(kit.libp2p).toBeUndefined()
    expect((await kit.storage.status()).usingFallback).toBe(true)
    expect(kit.storage.isAvailable()).toBe(false)
  })

  it.each(['0', 'false', 'no', '', 'disable'])('does not treat IPFS_KIT_DISABLE=%j as disabling', value => {
    expect(envDisablesNetwork({ IPFS_KIT_DISABLE: value })).toBe(false)
  })

  it('runs offline with config force_fallback', async () => {
    const kit = await sandbox.kit({ offline: false, config: { ipfs_kit: { force_fallback: true } } })
    expect(kit.offline).toBe(true)
    expect((await kit.storage.status()).usingFallback).toBe(true)
    expect(kit.storage.isAvailable()).toBe(false)
  })

  it('runs offline with config enabled: false', async () => {
    const kit = await sandbox.kit({ offline: false, config: { ipfs_kit: { enabled: false } } })
    expect(kit.offline).toBe(true)
  })

  it('is online, available and not in fallback when nothing disables the network (loopback only)', async () => {
    const kit = await sandbox.kit({ offline: false })
    expect(kit.offline).toBe(false)
    expect(kit.storage.isAvailable()).toBe(true)
    const status = await kit.storage.status()
    expect(status.usingFallback).toBe(false)
    expect(status.ipfsKitAvailable).toBe(true)
    expect(status.backends.ipfs).toBe(true)
    // Python test_fallback_when_import_fails: store and exists work either way
    const cid = await kit.storage.store('hello world')
    expect(await kit.storage.exists(cid)).toBe(true)
  })

  describe('data directory resolution', () => {
    it('prefers the explicit directory over every variable', () => {
      expect(resolveDataDir('/x/explicit', '/x/config', {
        IPFS_ACCELERATE_CACHE_DIR: '/x/accelerate', IPFS_KIT_CACHE_DIR: '/x/kit', XDG_CACHE_HOME: '/x/xdg'
      })).toBe('/x/explicit')
    })

    it('uses IPFS_ACCELERATE_CACHE_DIR before IPFS_KIT_CACHE_DIR', () => {
      expect(resolveDataDir(undefined, null, { IPFS_ACCELERATE_CACHE_DIR: '/x/accelerate', IPFS_KIT_CACHE_DIR: '/x/kit', XDG_CACHE_HOME: '/x/xdg' })).toBe('/x/accelerate')
    })

    it('uses IPFS_KIT_CACHE_DIR before the config and XDG_CACHE_HOME', () => {
      expect(resolveDataDir(undefined, '/x/config', { IPFS_KIT_CACHE_DIR: '/x/kit', XDG_CACHE_HOME: '/x/xdg' })).toBe('/x/kit')
    })

    it('uses config cache_dir before XDG_CACHE_HOME', () => {
      expect(resolveDataDir(undefined, '/x/config', { XDG_CACHE_HOME: '/x/xdg' })).toBe('/x/config')
    })

    it('uses $XDG_CACHE_HOME/ipfs_accelerate', () => {
      expect(resolveDataDir(undefined, null, { XDG_CACHE_HOME: '/x/xdg' })).toBe('/x/xdg/ipfs_accelerate')
    })

    it('defaults to ~/.cache/ipfs_accelerate (Python test_default_cache_dir)', () => {
      expect(resolveDataDir(undefined, null, {})).toBe(path.join(homedir(), '.cache', 'ipfs_accelerate'))
    })

    it('skips empty variables', () => {
      expect(resolveDataDir('', '', { IPFS_ACCELERATE_CACHE_DIR: '', IPFS_KIT_CACHE_DIR: '', XDG_CACHE_HOME: '' }))
        .toBe(path.join(homedir(), '.cache', 'ipfs_accelerate'))
    })

    it('expands ~ and makes relative paths absolute', () => {
      expect(resolveDataDir('~/kit-data', null, {})).toBe(path.join(homedir(), 'kit-data'))
      expect(resolveDataDir('rel/dir', null, {})).toBe(path.resolve('rel/dir'))
    })

    it('creates the kit in the config cache_dir, ${VAR} expanded, and ${cache_dir} names that directory', async () => {
      const root = await sandbox.dir()
      const kit = sandbox.track(await createKit({
        offline: true, env: { KIT_ROOT: root }, config: { ipfs_kit: { cache_dir: '${KIT_ROOT}/configured' } }
      }))
      expect(kit.dataDir).toBe(path.join(root, 'configured'))
      expect(kit.config.ipfs_kit.cache_dir).toBe(kit.dataDir)
      expect(kit.config.ipfs_kit.backends.local.path).toBe(path.join(kit.dataDir, 'local'))
    })

    it('creates the kit in IPFS_ACCELERATE_CACHE_DIR when no directory is given', async () => {
      const root = await sandbox.dir()
      const dataDir = path.join(root, 'from-env')
      const kit = sandbox.track(await createKit({
        offline: true, env: { IPFS_ACCELERATE_CACHE_DIR: dataDir, IPFS_KIT_CACHE_DIR: path.join(root, 'other') }
      }))
      expect(kit.dataDir).toBe(dataDir)
      expect((await fs.stat(path.join(dataDir, 'blocks'))).isDirectory()).toBe(true)
    })
  })
})

describe('storage operations (Python: test_store_*, test_retrieve_nonexistent)', () => {
  it('stores bytes under their real CIDv1 and reports them present', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store(new TextEncoder().encode('hello world'))
    expect(cid).toBe(HELLO_WORLD_CID)
    expect(CID.parse(cid).version).toBe(1)
    expect(await kit.storage.exists(cid)).toBe(true)
    expect(await kit.storage.size(cid)).toBe(11)
  })

  it('stores a string as its UTF-8 bytes', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('hello world')
    expect(cid).toBe(HELLO_WORLD_CID)
    expect(text(await kit.storage.retrieve(cid))).toBe('hello world')
    const unicode = 'grüße, 世界 🌍'
    const cid2 = await kit.storage.store(unicode)
    expect(await kit.storage.retrieve(cid2)).toEqual(new TextEncoder().encode(unicode))
  })

  it('stores a file given as { path } and round-trips it', async () => {
    const kit = await sandbox.kit()
    const file = path.join(await sandbox.dir(), 'model.bin')
    await fs.writeFile(file, 'hello world')
    const cid = await kit.storage.store({ path: file })
    expect(cid).toBe(HELLO_WORLD_CID)
    expect(text(await kit.storage.retrieve(cid))).toBe('hello world')
  })

  it('stores an async iterable of chunks', async () => {
    const kit = await sandbox.kit()
    async function * parts (): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('hello ')
      yield new TextEncoder().encode('world')
    }
    expect(await kit.storage.store(parts())).toBe(HELLO_WORLD_CID)
  })

  it('returns undefined when retrieving a valid CID that was never stored', async () => {
    const kit = await sandbox.kit()
    expect(await kit.storage.retrieve(UNKNOWN_CID)).toBeUndefined()
    expect(await kit.storage.exists(UNKNOWN_CID)).toBe(false)
  })

  it('takes a string that is not a CID as a stored filename: unknown, it is not there (seed 2.1 named keys)', async () => {
    const kit = await sandbox.kit()
    expect(await kit.storage.retrieve('bafy-not-a-cid')).toBeUndefined()
    expect(await kit.storage.exists('bafy-not-a-cid')).toBe(false)
    const cid = await kit.storage.store('named', { filename: 'bafy-not-a-cid' })
    expect(new TextDecoder().decode(await kit.storage.retrieve('bafy-not-a-cid'))).toBe('named')
    expect(await kit.storage.resolve('bafy-not-a-cid')).toBe(cid)
    // where only a CID makes sense, a non-CID is still InvalidCIDError
    await expect(kit.storage.pin('bafy-not-a-cid')).rejects.toBeInstanceOf(InvalidCIDError)
  })

  it('keeps the filename in the file index (Python test_store_with_metadata)', async () => {
    const kit = await sandbox.kit()
    const before = Date.now()
    const cid = await kit.storage.store('hello world', { filename: 'hello.txt' })
    const files = await kit.storage.listFiles()
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({ cid, filename: 'hello.txt', size: 11, pinned: false })
    expect(files[0]?.modified).toBeGreaterThanOrEqual(before)
    expect(files[0]?.modified).toBeLessThanOrEqual(Date.now())
  })

  it('keeps an earlier filename when the same content is stored again without one', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('hello world', { filename: 'hello.txt' })
    await kit.storage.store('hello world')
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid, filename: 'hello.txt' })])
  })

  it('reports store progress and honours an aborted signal', async () => {
    const kit = await sandbox.kit()
    const events: string[] = []
    await kit.storage.store('hello world', { pin: true, onProgress: e => { events.push(e.type) } })
    expect(events).toContain('storage:store:chunk')
    expect(events.at(-1)).toBe('storage:store:pinned')
    const controller = new AbortController()
    controller.abort()
    await expect(kit.storage.store('other', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(await kit.storage.listFiles()).toHaveLength(1)
  })
})

describe('content addressing (Python: test_deterministic_cid, test_different_content_different_cid)', () => {
  it('gives the same bytes the same CID whatever their filename', async () => {
    const kit = await sandbox.kit()
    const a = await kit.storage.store('same content', { filename: 'a.txt' })
    const b = await kit.storage.store('same content', { filename: 'b.txt' })
    expect(a).toBe(b)
    // one entry per content; the latest name wins, as Python's .meta file was overwritten
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid: a, filename: 'b.txt' })])
  })

  it('gives different bytes different CIDs', async () => {
    const kit = await sandbox.kit()
    const a = await kit.storage.store('content one')
    const b = await kit.storage.store('content two')
    expect(a).not.toBe(b)
    expect(text(await kit.storage.retrieve(a))).toBe('content one')
    expect(text(await kit.storage.retrieve(b))).toBe('content two')
  })
})

describe('pinning (Python: test_pin_content, test_unpin_content)', () => {
  it('shows a pin and an unpin in listFiles and status', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('pin me', { filename: 'p.txt' })
    expect(await kit.storage.pin(cid)).toBe(true)
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid, filename: 'p.txt', pinned: true })])
    expect((await kit.storage.status()).repo.pins).toBe(1)

    expect(await kit.storage.unpin(cid)).toBe(true)
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid, pinned: false })])
    expect((await kit.storage.status()).repo.pins).toBe(0)
    expect(await kit.storage.unpin(cid)).toBe(false)
  })

  it('pins at store time with { pin: true }', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('pinned at once', { pin: true })
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid, pinned: true })])
  })
})

describe('listing (Python: test_list_empty, test_list_files)', () => {
  it('lists nothing in a new data directory', async () => {
    const kit = await sandbox.kit()
    expect(await kit.storage.listFiles()).toEqual([])
  })

  it('lists every stored file with its name, size and pin state', async () => {
    const kit = await sandbox.kit()
    const first = await kit.storage.store('first file', { filename: 'first.txt' })
    const second = await kit.storage.store('second file!', { filename: 'second.txt', pin: true })
    const files = await kit.storage.listFiles()
    expect(files).toHaveLength(2)
    const byCid = new Map(files.map(f => [f.cid, f]))
    expect(byCid.get(first)).toMatchObject({ filename: 'first.txt', size: 10, pinned: false })
    expect(byCid.get(second)).toMatchObject({ filename: 'second.txt', size: 12, pinned: true })
  })

  it('lists content stored without a filename with filename null', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('anonymous')
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid, filename: null, size: 9 })])
  })
})

describe('deletion (Python: test_delete_*)', () => {
  it('deletes stored content: true, then absent and unretrievable', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('delete me', { filename: 'd.txt' })
    expect(await kit.storage.delete(cid)).toBe(true)
    expect(await kit.storage.exists(cid)).toBe(false)
    expect(await kit.storage.retrieve(cid)).toBeUndefined()
    const blocks = new FsBlockstore(path.join(kit.dataDir, 'blocks'))
    await expect(fs.access(blocks.fileOf(CID.parse(cid)))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('returns false for content that was never stored', async () => {
    const kit = await sandbox.kit()
    expect(await kit.storage.delete(UNKNOWN_CID)).toBe(false)
  })

  it('returns false the second time', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('twice')
    expect(await kit.storage.delete(cid)).toBe(true)
    expect(await kit.storage.delete(cid)).toBe(false)
  })

  it('removes the file index entry and the pin', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('with metadata', { filename: 'm.txt', pin: true })
    const other = await kit.storage.store('stays', { filename: 'keep.txt' })
    expect(await kit.storage.delete(cid)).toBe(true)
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid: other, filename: 'keep.txt' })])
    expect((await kit.storage.status()).repo.pins).toBe(0)
  })
})

describe('backend status (Python: test_backend_status_fallback, test_is_available)', () => {
  it('reports the offline backend status', async () => {
    const kit = await sandbox.kit()
    const status = await kit.storage.status()
    expect(Object.keys(status).sort()).toEqual(['backendHealth', 'backends', 'cacheDir', 'ipfsKitAvailable', 'peerId', 'peers', 'repo', 'tiers', 'usingFallback'])
    expect(status.ipfsKitAvailable).toBe(false)
    expect(status.usingFallback).toBe(true)
    expect(status.cacheDir).toBe(kit.dataDir)
    expect(status.peerId).toBe(kit.peerId.toString())
    expect(status.peers).toBe(0)
    expect(status.backends).toEqual({ local: true, ipfs: false, s3: false, filecoin: false })
    expect(status.repo).toEqual({ blocks: 0, bytes: 0, pins: 0, pinnedBytes: 0, quarantined: 0 })
  })

  it('counts stored blocks and bytes', async () => {
    const kit = await sandbox.kit()
    await kit.storage.store('hello world')
    expect((await kit.storage.status()).repo).toEqual({ blocks: 1, bytes: 11, pins: 0, pinnedBytes: 0, quarantined: 0 })
  })

  it('is not available offline', async () => {
    const kit = await sandbox.kit()
    expect(kit.storage.isAvailable()).toBe(false)
  })
})

describe('singleton (Python: test_get_storage_singleton, test_reset_storage)', () => {
  it('returns the same storage on every call', async () => {
    const dataDir = await sandbox.dir()
    const a = await getStorage({ dataDir, offline: true, env: {} })
    const b = await getStorage({ dataDir: await sandbox.dir(), offline: true, env: {} })
    expect(b).toBe(a)
    expect((await b.status()).cacheDir).toBe(dataDir)
  })

  it('returns the same storage to concurrent first calls', async () => {
    const dataDir = await sandbox.dir()
    const [a, b] = await Promise.all([getStorage({ dataDir, offline: true, env: {} }), getStorage({ dataDir, offline: true, env: {} })])
    expect(b).toBe(a)
  })

  it('makes a new storage after reset, having stopped the old one', async () => {
    const dataDir = await sandbox.dir()
    const a = await getStorage({ dataDir, offline: true, env: {} })
    const cid = await a.store('survives a reset')
    await resetStorage()
    // the same directory opens again: the old kit released its lock
    const b = await getStorage({ dataDir, offline: true, env: {} })
    expect(b).not.toBe(a)
    expect(text(await b.retrieve(cid))).toBe('survives a reset')
  })
})

describe('errors (Python: test_store_invalid_path, test_retrieve_after_manual_deletion)', () => {
  it('rejects a path that does not exist with InputNotFoundError naming it', async () => {
    const kit = await sandbox.kit()
    const missing = path.join(await sandbox.dir(), 'no', 'such', 'file.bin')
    const err = await kit.storage.store({ path: missing }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputNotFoundError)
    expect(err).toMatchObject({ name: 'InputNotFoundError', code: 'ERR_INPUT_NOT_FOUND', path: missing })
    expect((err as Error).message).toContain(missing)
    expect(await kit.storage.listFiles()).toEqual([])
  })

  it('rejects a directory given as { path } with InvalidInputError', async () => {
    const kit = await sandbox.kit()
    await expect(kit.storage.store({ path: await sandbox.dir() })).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('rejects input of the wrong kind with InvalidInputError', async () => {
    const kit = await sandbox.kit()
    await expect(kit.storage.store(42 as unknown as string)).rejects.toMatchObject({ name: 'InvalidInputError' })
    await expect(kit.storage.store('x', { filename: 7 as unknown as string })).rejects.toMatchObject({ name: 'InvalidInputError' })
  })

  it('returns undefined, without crashing, when the block file was deleted by hand', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('hello world', { filename: 'hello.txt' })
    const file = new FsBlockstore(path.join(kit.dataDir, 'blocks')).fileOf(CID.parse(cid))
    await fs.rm(file)
    expect(await kit.storage.retrieve(cid)).toBeUndefined()
    expect(await kit.storage.exists(cid)).toBe(false)
    // the API still works afterwards
    expect(await kit.storage.delete(cid)).toBe(true)
    expect(await kit.storage.store('hello world')).toBe(cid)
    expect(text(await kit.storage.retrieve(cid))).toBe('hello world')
  })

  it('returns undefined when the block file was altered on disk (reads are verified)', async () => {
    const kit = await sandbox.kit()
    const cid = await kit.storage.store('hello world')
    const file = new FsBlockstore(path.join(kit.dataDir, 'blocks')).fileOf(CID.parse(cid))
    await fs.writeFile(file, 'hello WORLD')
    expect(await kit.storage.retrieve(cid)).toBeUndefined()
  })

  it('refuses a second kit on a data directory in use with RepoLockedError', async () => {
    const kit = await sandbox.kit()
    await expect(sandbox.kit({ dataDir: kit.dataDir })).rejects.toMatchObject({ name: 'RepoLockedError', dataDir: kit.dataDir })
  })
})

describe('configuration (Python: test_custom_config, test_no_config)', () => {
  it('keeps the config values it was given', async () => {
    const kit = await sandbox.kit({
      config: {
        ipfs_kit: {
          performance: { max_cache_size: '512MiB', gc_interval: '30m', connection_pool_size: 3 },
          storage_policy: { pin_by_default: true },
          backends: { s3: { bucket: 'my-models' } }
        }
      }
    })
    const settings = kit.config.ipfs_kit
    expect(settings.performance).toMatchObject({ max_cache_size: 512 * 1024 * 1024, gc_interval: 30 * 60_000, connection_pool_size: 3 })
    expect(settings.storage_policy.pin_by_default).toBe(true)
    expect(settings.backends.s3.bucket).toBe('my-models')
    // untouched keys keep their defaults
    expect(settings.backends.s3.region).toBe('us-west-2')
    // and the setting takes effect: content is pinned without asking
    const cid = await kit.storage.store('pinned by default')
    expect(await kit.storage.listFiles()).toEqual([expect.objectContaining({ cid, pinned: true })])
  })

  it('uses the defaults of config/ipfs-kit.yaml when given no config', async () => {
    const kit = await sandbox.kit()
    const yamlText = await fs.readFile(new URL('../../config/ipfs-kit.yaml', import.meta.url), 'utf8')
    const file = parseYaml(yamlText).ipfs_kit
    const settings = kit.config.ipfs_kit
    expect(settings.enabled).toBe(file.enabled)
    expect(settings.force_fallback).toBe(file.force_fallback)
    expect(settings.cache_dir).toBe(file.cache_dir)
    expect(settings.backends.local).toEqual({ enabled: file.backends.local.enabled, path: path.join(kit.dataDir, 'local') })
    expect(settings.backends.ipfs).toEqual(file.backends.ipfs)
    // ${FILECOIN_API_KEY} is unset in the kit's environment
    expect(settings.backends.filecoin).toEqual({ ...file.backends.filecoin, api_key: '' })
    // ${IPFS_KIT_S3_*} are unset in the kit's environment
    expect(settings.backends.s3).toEqual({ ...file.backends.s3, access_key_id: '', secret_access_key: '', pack_size: parseSize(file.backends.s3.pack_size) })
    expect(settings.storage_policy).toEqual({ ...file.storage_policy, demote_after: parseDuration(file.storage_policy.demote_after) })
    expect(settings.performance).toEqual({
      ...file.performance,
      max_cache_size: parseSize(file.performance.max_cache_size),
      memory_cache_size: parseSize(file.performance.memory_cache_size),
      gc_interval: parseDuration(file.performance.gc_interval)
    })
    expect(settings.node).toEqual(file.node)
    expect(kit.config).toEqual(loadConfig({ dataDir: kit.dataDir, env: {} }))
    // the documented defaults, spelled out
    expect(settings.performance.max_cache_size).toBe(10_000_000_000)
    expect(settings.performance.gc_interval).toBe(3_600_000)
    expect(settings.storage_policy.pin_by_default).toBe(false)
  })
})
