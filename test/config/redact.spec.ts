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
