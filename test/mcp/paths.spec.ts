import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stdioPathPolicy } from '../../src/mcp/index.ts'

describe('stdio path policy', () => {
  let dir: string
  beforeAll(async () => { dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ipfs-kit-mcp-paths-'))) })
  afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }) })

  it('allows paths under the working directory, resolved, and refuses the rest', async () => {
    const check = stdioPathPolicy({ allowedPaths: [], cwd: path.join(dir, 'a'), home: '/nonexistent-home' })
    await fs.mkdir(path.join(dir, 'a'))
    expect(await check('new/file.bin', 'path')).toBe(path.join(dir, 'a', 'new', 'file.bin'))
    await expect(check('../b', 'dest')).rejects.toMatchObject({ name: 'PathNotAllowedError', message: expect.stringContaining('dest "../b" is outside the server\'s working directory') })
    await expect(check('x\0y', 'path')).rejects.toMatchObject({ name: 'PathNotAllowedError' })
  })

  it('allows nothing when the working directory is / or the home directory itself', async () => {
    for (const cwd of ['/', dir]) {
      const check = stdioPathPolicy({ allowedPaths: [], cwd, home: dir })
      await expect(check(path.join(dir, 'file'), 'path')).rejects.toMatchObject({ name: 'PathNotAllowedError', message: expect.stringContaining('no path is allowed') })
    }
  })

  it('uses mcp.allowed_paths instead of the working directory when set', async () => {
    await fs.mkdir(path.join(dir, 'models'), { recursive: true })
    const check = stdioPathPolicy({ allowedPaths: [path.join(dir, 'models')], cwd: '/', home: '/nonexistent-home' })
    expect(await check(path.join(dir, 'models', 'llama'), 'dir')).toBe(path.join(dir, 'models', 'llama'))
    await expect(check(path.join(dir, 'other'), 'dir')).rejects.toMatchObject({ name: 'PathNotAllowedError', message: expect.stringContaining('ipfs_kit.mcp.allowed_paths') })
  })
})
