import { createHash, randomBytes } from 'node:crypto'
import { lstat, mkdir, readFile, readlink, readdir, realpath, writeFile, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { repoFolder, snapshotCommit } from '../../src/models/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function modelDir (sandbox: Sandbox): Promise<{ dir: string, files: Map<string, Buffer> }> {
  const dir = await sandbox.dir()
  const files = new Map<string, Buffer>([
    ['model.safetensors', randomBytes(3 * 1024 * 1024 + 17)],
    ['config.json', Buffer.from('{"hidden_size": 64}')],
    ['tokenizer/tokenizer.json', Buffer.from('{"vocab": {}}')],
    ['tokenizer/special_tokens_map.json', Buffer.from('{}')]
  ])
  for (const [rel, bytes] of files) {
    await mkdir(join(dir, rel, '..'), { recursive: true })
    await writeFile(join(dir, rel), bytes)
  }
  return { dir, files }
}

describe('models: publish, find by name, pull', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  const pair = async (): Promise<[Kit, Kit]> => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false, bootstrap: a.addresses() })
    return [a, b]
  }

  it('pulls a published model by name, byte for byte, into dest and the Hugging Face cache layout', async () => {
    const { dir, files } = await modelDir(sandbox)
    const [a, b] = await pair()
    const published = await a.models.publish(dir, { name: 'acme/tiny-llm' })
    expect(published).toMatchObject({ name: 'acme/tiny-llm', revision: 'main', files: 4, storedFiles: 4, reusedFiles: 0 })

    const providers = await b.models.findProviders('acme/tiny-llm', { timeoutMs: 3000 })
    expect(providers.map(p => [p.peerId, p.root])).toContainEqual([a.peerId.toString(), published.root])

    const dest = await sandbox.dir()
    const hf = await sandbox.dir()
    const events: string[] = []
    const pulled = await b.models.pull('acme/tiny-llm', { dest, hfCache: hf, onProgress: e => { events.push(e.type) } })
    expect(pulled).toMatchObject({ root: published.root, files: 4, providers: [a.peerId.toString()] })
    expect(pulled.fetchedBytes).toBeGreaterThanOrEqual(published.bytes)
    expect(events).toContain('models:pull:manifest')
    expect(events.filter(e => e === 'models:pull:file')).toHaveLength(4)
    for (const [rel, bytes] of files) expect(sha(await readFile(join(dest, rel)))).toBe(sha(bytes))

    // the Hugging Face hub cache layout: blobs named by sha256, snapshot links, refs/<revision> naming the snapshot
    const repo = join(hf, repoFolder('acme/tiny-llm'))
    expect(repo.endsWith('models--acme--tiny-llm')).toBe(true)
    const commit = (await readFile(join(repo, 'refs', 'main'), 'utf8'))
    expect(commit).toBe(snapshotCommit(published.root))
    expect(commit).toMatch(/^[0-9a-f]{40}$/)
    expect((await readdir(join(repo, 'blobs'))).sort()).toEqual([...new Set([...files.values()].map(sha))].sort())
    for (const [rel, bytes] of files) {
      const link = join(repo, 'snapshots', commit, rel)
      expect((await lstat(link)).isSymbolicLink()).toBe(true)
      expect(await readlink(link)).not.toMatch(/^\//) // relative, as huggingface_hub makes them
      expect(await realpath(link)).toBe(join(repo, 'blobs', sha(bytes)))
      expect(sha(await readFile(link))).toBe(sha(bytes))
    }

    // pinned and held locally, and b now provides it too
    expect((await b.models.list()).map(m => [m.name, m.root, m.origin])).toEqual([['acme/tiny-llm', published.root, 'pulled']])
    expect((await b.storage.gc()).removedBlocks).toBe(0)
    expect(await b.storage.exists(published.root)).toBe(true)
  })

  it('republishing a changed revision stores only the changed files; unchanged files keep their CIDs', async () => {
    const { dir } = await modelDir(sandbox)
    const a = await sandbox.kit()
    const first = await a.models.publish(dir, { name: 'acme/m', revision: 'v1' })
    const same = await a.models.publish(dir, { name: 'acme/m', revision: 'v1' })
    expect(same).toMatchObject({ root: first.root, storedFiles: 0, reusedFiles: 4 })

    await writeFile(join(dir, 'config.json'), '{"hidden_size": 128}')
    await utimes(join(dir, 'config.json'), new Date(), new Date(Date.now() + 5000))
    const second = await a.models.publish(dir, { name: 'acme/m', revision: 'v1' })
    expect(second).toMatchObject({ storedFiles: 1, reusedFiles: 3 })
    expect(second.root).not.toBe(first.root)
    // the old manifest is no longer pinned, the new one is, and gc keeps the whole new revision
    await a.storage.gc()
    expect(await a.storage.exists(first.root)).toBe(false)
    const out = await sandbox.dir()
    await a.models.pull('acme/m', { revision: 'v1', dest: out })
    expect(await readFile(join(out, 'config.json'), 'utf8')).toBe('{"hidden_size": 128}')
  })

  it('fails fast with ModelNotFoundError for an unknown name', async () => {
    const [, b] = await pair()
    const started = Date.now()
    await expect(b.models.pull('acme/nobody-has-this', { findTimeoutMs: 2000 })).rejects.toMatchObject({ name: 'ModelNotFoundError' })
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('refuses to publish a directory with a file name that could escape, or a bad model name', async () => {
    const dir = await sandbox.dir()
    await writeFile(join(dir, 'evil\\..\\x'), 'x')
    const a = await sandbox.kit()
    await expect(a.models.publish(dir, { name: 'acme/m' })).rejects.toMatchObject({ name: 'UnsafePathError' })
    await expect(a.models.publish(dir, { name: '../../etc' })).rejects.toMatchObject({ name: 'InvalidModelNameError' })
    await expect(a.models.publish(join(dir, 'missing'), { name: 'acme/m' })).rejects.toMatchObject({ name: 'InputNotFoundError' })
  })

  it('keeps the model index across restarts and offline pulls a held model from the local store', async () => {
    const { dir, files } = await modelDir(sandbox)
    const dataDir = await sandbox.dir()
    const a = await sandbox.kit({ dataDir })
    const { root } = await a.models.publish(dir, { name: 'acme/m' })
    await a.stop()
    const again = await sandbox.kit({ dataDir })
    expect((await again.models.list()).map(m => m.root)).toEqual([root])
    const out = await sandbox.dir()
    const pulled = await again.models.pull('acme/m', { dest: out })
    expect(pulled.fetchedBytes).toBe(0)
    expect(sha(await readFile(join(out, 'model.safetensors')))).toBe(sha(files.get('model.safetensors') as Buffer))
    await expect(again.models.findProviders('acme/m')).rejects.toMatchObject({ name: 'OfflineError' })
  })
})
