/**
 * `pull({ dest })` never replaces a file in dest that the model did not
 * write before (only with `force`), says which, and writes nothing when it
 * refuses; a re-pull over its own files goes through.
 */
import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'

const FILES = new Map<string, string>([
  ['config.json', '{"hidden_size": 64}'],
  ['weights.bin', 'w'.repeat(100_000)],
  ['tokenizer/tokenizer.json', '{"vocab": {}}']
])

/** Every entry under `dir` with its content (or 'dir' / 'link'), to compare before and after. */
async function snapshot (dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = join(entry.parentPath, entry.name)
    const stat = await lstat(p)
    out[p.slice(dir.length + 1)] = stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'dir' : await readFile(p, 'utf8')
  }
  return out
}

describe('models: pull into a destination that holds files', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  async function published (kit: Kit): Promise<void> {
    const dir = await sandbox.dir()
    for (const [rel, text] of FILES) {
      await mkdir(join(dir, rel, '..'), { recursive: true })
      await writeFile(join(dir, rel), text)
    }
    await kit.models.publish(dir, { name: 'acme/tiny' })
  }

  it('refuses, naming the file and writing nothing, to replace a file the model did not write; --force replaces it (two kits)', async () => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false, bootstrap: a.addresses() })
    await published(a)
    const dest = await sandbox.dir()
    await writeFile(join(dest, 'config.json'), 'my own notes')
    const before = await snapshot(dest)

    const err = await b.models.pull('acme/tiny', { dest }).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'DestinationExistsError', code: 'ERR_DESTINATION_EXISTS', path: join(dest, 'config.json'), hint: expect.stringContaining('--force') })
    expect(await snapshot(dest)).toEqual(before) // no other file, no .part, no directory

    await b.models.pull('acme/tiny', { dest, force: true })
    expect(await readFile(join(dest, 'config.json'), 'utf8')).toBe(FILES.get('config.json'))
    expect(await readFile(join(dest, 'weights.bin'), 'utf8')).toBe(FILES.get('weights.bin'))
  })

  it('pulls again over the files this model wrote, silently', async () => {
    const kit = await sandbox.kit()
    await published(kit)
    const dest = await sandbox.dir()
    await kit.models.pull('acme/tiny', { dest })
    await kit.models.pull('acme/tiny', { dest })
    expect(Object.keys(await snapshot(dest)).sort()).toEqual(['config.json', 'tokenizer', 'tokenizer/tokenizer.json', 'weights.bin'])
  })

  it('refuses a file of the same size but other bytes, a symlink at a file path, and a file or symlink where the model has a directory', async () => {
    const kit = await sandbox.kit()
    await published(kit)
    const elsewhere = await sandbox.dir()
    await writeFile(join(elsewhere, 'victim'), 'do not touch')
    const cases: Array<[string, (dest: string) => Promise<void>]> = [
      ['weights.bin', async dest => { await writeFile(join(dest, 'weights.bin'), 'x'.repeat(100_000)) }],
      ['config.json', async dest => { await symlink(join(elsewhere, 'victim'), join(dest, 'config.json')) }],
      ['tokenizer', async dest => { await writeFile(join(dest, 'tokenizer'), 'a file') }],
      ['tokenizer', async dest => { await symlink(elsewhere, join(dest, 'tokenizer')) }]
    ]
    for (const [inTheWay, prepare] of cases) {
      const dest = await sandbox.dir()
      await prepare(dest)
      const before = await snapshot(dest)
      await expect(kit.models.pull('acme/tiny', { dest }), inTheWay).rejects.toMatchObject({ name: 'DestinationExistsError', path: join(dest, inTheWay) })
      expect(await snapshot(dest)).toEqual(before)
    }
    expect(await readdir(elsewhere)).toEqual(['victim'])
    expect(await readFile(join(elsewhere, 'victim'), 'utf8')).toBe('do not touch')
  })
})
