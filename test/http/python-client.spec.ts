/**
 * The Python package (clients/python, `IPFSKitStorage` in daemon mode), run
 * with `python3` against real daemons: a provider that published a model, and
 * the daemon the package talks to (online, bootstrapped to the provider, with
 * an API token). The package's own pytest suite (`python3 -m pytest
 * clients/python`) covers the rest with one daemon; this one needs two.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ABSENT_CID, HELLO_CID, ROOT, cleanup, run, startDaemon, tempDir } from '../cli/helpers.ts'
import { MIB, patternBytes } from '../fixtures/bytes.ts'
import { referenceCid } from '../fixtures/reference-cid.ts'
import { cacheKey } from '../../src/cache/index.ts'

const execFileAsync = promisify(execFile)
const TOKEN = 'python-client-test-token-0123456789'
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0']

describe('Python package (clients/python)', () => {
  afterEach(cleanup)
  afterAll(cleanup)

  it('stores, retrieves, pins, lists, unpins, finds a model\'s providers and caches inference results through the daemon', async () => {
    const work = await tempDir()
    const provider = await startDaemon(path.join(work, 'provider'), LOOPBACK)
    const model = path.join(work, 'model')
    await mkdir(model)
    await writeFile(path.join(model, 'config.json'), '{"hidden_size": 8}')
    const published = await run(['model', 'publish', model, '--name', 'acme/tiny', '--data-dir', path.join(work, 'provider'), '--json'])
    expect(published.code, published.stderr).toBe(0)
    const { root } = JSON.parse(published.stdout) as { root: string }

    const config = path.join(work, 'ipfs-kit.yaml')
    await writeFile(config, `ipfs_kit:\n  api:\n    auth_token: "${TOKEN}"\n`)
    const daemon = await startDaemon(path.join(work, 'node'), ['--config', config, '--api', '127.0.0.1:0', ...LOOPBACK, '--bootstrap', provider.info.addresses[0] as string])
    const api = (daemon.info as unknown as { api: string }).api

    const bytes = patternBytes(3 * MIB + 17, 5)
    const file = path.join(work, 'weights.bin')
    await writeFile(file, bytes)
    const { stdout, stderr } = await execFileAsync('python3', [path.join(ROOT, 'test/fixtures/python/exercise_client.py'), api, TOKEN, file, ABSENT_CID, 'acme/tiny'], { timeout: 50_000 })
    expect(stderr).toBe('')
    const out = JSON.parse(stdout)
    const fileCid = await referenceCid(bytes)
    expect(out).toMatchObject({
      using_fallback: false,
      hello: HELLO_CID,
      hello_retrieved: 'hello world',
      hello_range: 'world',
      list_before: [],
      pin: true,
      list_after_pin: [HELLO_CID],
      file: fileCid,
      file_sha256: createHash('sha256').update(bytes).digest('hex'),
      list_with_file: [HELLO_CID, fileCid].sort(),
      unpin: true,
      unpin_again: false,
      list_after_unpin: [fileCid],
      absent: null,
      status_peer: daemon.info.peerId,
      bad_cid: [400, expect.stringContaining('not a valid CID')],
      wrong_token: [401, 'wrong API token'],
      cache_put: expect.stringMatching(/^bafkrei/),
      cache_get: 'forty-two',
      cache_miss: null,
      inference_first: { label: 'positive', input: 'great movie' },
      inference_second: { label: 'positive', input: 'great movie' },
      inference_other: { label: 'positive', input: 'great movie' },
      // computed for temperature 0, a hit for it, computed again for temperature 1
      inference_calls: ['great movie', 'great movie'],
      // the daemon's key is the library's (the model is not held there: its name is its identity)
      inference_key: cacheKey({ model: 'acme/sentiment', input: 'great movie', params: { temperature: 0 } }),
      cache_stats: { entries: 3, hits: 2, misses: 3 },
      cache_bad_key: [400, expect.stringContaining('CACHE_MAX_KEY_BYTES')]
    })
    expect(out.providers.map((p: { ID: string }) => p.ID)).toContain(provider.info.peerId)
    expect(out.providers[0]).toMatchObject({ Revision: 'main', Root: root })
    expect(await daemon.stop()).toBe(0)
    expect(await provider.stop()).toBe(0)
  }, 90_000)
})
