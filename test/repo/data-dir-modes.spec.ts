/**
 * The data directory is this user's alone, whatever the umask: 0700
 * directories, 0600 datastore files (the identity key), a looser existing
 * directory tightened with a warning, and a control socket that is never
 * created in a directory other users can enter.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DATASTORE_DIR } from '../../src/constants.ts'
import { createControlServer } from '../../src/control/index.ts'
import { writePrivateFile } from '../../src/repo/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const modeOf = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o777

describe('data directory permissions', () => {
  const sandbox = new Sandbox()
  afterEach(async () => {
    vi.restoreAllMocks()
    await sandbox.cleanup()
  })

  it('creates the data directory and datastore 0700 and the datastore files 0600, even under umask 000', async () => {
    const dataDir = path.join(await sandbox.dir(), 'nested', 'repo')
    const previous = process.umask(0o000)
    try {
      const kit = await sandbox.kit({ dataDir })
      await kit.storage.store('some content')
    } finally {
      process.umask(previous)
    }
    expect(await modeOf(dataDir)).toBe(0o700)
    const datastore = path.join(dataDir, DATASTORE_DIR)
    expect(await modeOf(datastore)).toBe(0o700)
    const files = (await fs.readdir(datastore, { withFileTypes: true })).filter(e => e.isFile())
    expect(files.length).toBeGreaterThan(2) // LOCK, CURRENT, MANIFEST-…, a log
    for (const file of files) expect([file.name, await modeOf(path.join(datastore, file.name))]).toEqual([file.name, 0o600])
  })

  it('tightens an existing data directory open to other users, with a warning naming it', async () => {
    const dataDir = await sandbox.dir()
    await fs.chmod(dataDir, 0o755)
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    await sandbox.kit({ dataDir })
    expect(await modeOf(dataDir)).toBe(0o700)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(new RegExp(`${dataDir}.*0755.*0700`))
  })

  it('refuses a shared directory (sticky or world-writable, like /tmp) instead of closing it to its other users', async () => {
    for (const mode of [0o1777, 0o777]) {
      const shared = await sandbox.dir()
      await fs.chmod(shared, mode)
      await expect(sandbox.kit({ dataDir: shared }), mode.toString(8)).rejects.toMatchObject({ name: 'RepoOpenError', message: expect.stringContaining('shared with other users') })
      expect((await fs.stat(shared)).mode & 0o7777).toBe(mode)
    }
  })

  it('says nothing for a directory that is already 0700', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const kit = await sandbox.kit()
    expect(await modeOf(kit.dataDir)).toBe(0o700)
    expect(warn).not.toHaveBeenCalled()
  })

  it('refuses to create the control socket in a directory other users can enter, and serves it 0600 in the data directory', async () => {
    const kit = await sandbox.kit()
    const open = await sandbox.dir()
    await fs.chmod(open, 0o755)
    const exposed = createControlServer(kit, { path: path.join(open, 'control.sock') })
    await expect(exposed.start()).rejects.toMatchObject({ name: 'ControlSocketError', message: expect.stringContaining('0700') })
    await expect(fs.stat(path.join(open, 'control.sock'))).rejects.toMatchObject({ code: 'ENOENT' })
    const server = createControlServer(kit)
    await server.start()
    try {
      expect(await modeOf(server.path)).toBe(0o600)
      expect(await modeOf(path.dirname(server.path))).toBe(0o700)
    } finally {
      await server.stop()
    }
  })

  it('writes a private file 0600, also over an existing file that was readable by others', async () => {
    const file = path.join(await sandbox.dir(), 'publisher.key')
    await fs.writeFile(file, 'old', { mode: 0o644 })
    await fs.chmod(file, 0o644)
    await writePrivateFile(file, 'secret')
    expect(await modeOf(file)).toBe(0o600)
    expect(await fs.readFile(file, 'utf8')).toBe('secret')
  })
})
