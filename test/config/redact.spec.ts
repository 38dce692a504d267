import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { loadConfig, REDACTED, redactSecrets } from '../../src/config/index.ts'
import { generateSwarmKey } from '../../src/config/index.ts'
import { cleanup, runJson, tempDir } from '../cli/helpers.ts'

const TOKEN = 'a-long-enough-api-token-0123456789'

describe('config show hides secrets', () => {
  afterAll(cleanup)

  it('redacts the API token and an inline swarm key, and shows a swarm key file path', async () => {
    const key = generateSwarmKey()
    const keyFile = path.join(await tempDir(), 'swarm.key')
    await writeFile(keyFile, key)
    const inline = redactSecrets(loadConfig({ env: {}, overrides: { ipfs_kit: { api: { auth_token: TOKEN }, node: { swarm_key: key } } } }))
    expect(inline.ipfs_kit.api.auth_token).toBe(REDACTED)
    expect(inline.ipfs_kit.node.swarm_key).toBe(REDACTED)
    const byPath = redactSecrets(loadConfig({ env: {}, overrides: { ipfs_kit: { node: { swarm_key: keyFile } } } }))
    expect(byPath.ipfs_kit.node.swarm_key).toBe(keyFile)
    expect(byPath.ipfs_kit.api.auth_token).toBe(null)
  })

  it('redacts every field whose key names a secret, at any depth (backends.filecoin.api_key too)', () => {
    const config = loadConfig({ env: { FILECOIN_API_KEY: 'fil-secret-0123' }, overrides: { ipfs_kit: { api: { auth_token: TOKEN } } } })
    expect(config.ipfs_kit.backends.filecoin.api_key).toBe('fil-secret-0123')
    const shown = redactSecrets(config)
    expect(shown.ipfs_kit.backends.filecoin.api_key).toBe(REDACTED)
    expect(JSON.stringify(shown)).not.toContain('fil-secret-0123')
    // keys the schema may grow: whatever their depth, their values (scalars or subtrees) go
    const future = redactSecrets({ ...config, extra: { db_password: 'pw-1', nested: [{ client_secret: 's-2', name: 'kept' }], signing: { keys: ['k-3'] } } } as unknown as typeof config) as unknown as { extra: unknown }
    expect(future.extra).toEqual({ db_password: REDACTED, nested: [{ client_secret: REDACTED, name: 'kept' }], signing: { keys: REDACTED } })
    // and nothing else changes
    expect({ ...shown, ipfs_kit: { ...shown.ipfs_kit, api: config.ipfs_kit.api, backends: config.ipfs_kit.backends } }).toEqual(config)
  })

  it('`ipfs-kit config show` never prints them', async () => {
    const dir = await tempDir()
    const key = generateSwarmKey()
    const file = path.join(dir, 'ipfs-kit.yaml')
    await writeFile(file, stringify({ ipfs_kit: { api: { auth_token: TOKEN }, node: { swarm_key: key } } }))
    const shown = await runJson(['config', 'show', '--config', file])
    expect(shown.ipfs_kit.api.auth_token).toBe(REDACTED)
    expect(shown.ipfs_kit.node.swarm_key).toBe(REDACTED)
    expect(JSON.stringify(shown)).not.toContain(TOKEN)
  }, 60_000)
})
