import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

describe('examples', () => {
  it('quick-start runs and prints the real CIDs', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/quick-start.ts'], { env: { ...process.env, IPFS_KIT_DISABLE: '' } })
    expect(stdout).toContain('hello.txt   bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    expect(stdout).toContain('retrieve    hello world')
    expect(stdout).toContain('range bytes 20')
    expect(stdout).toMatch(/weights\.bin bafybei[a-z2-7]{52}/)
  })
})
