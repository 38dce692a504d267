/**
 * A dataset pull shows on the status page like a model pull: `kit.status().pulls`
 * lists it (kind `dataset`) while it runs, with its bytes and the provider that
 * served them, and drops it when it ends.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { ActivePull } from '../../src/metrics/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

describe('dataset pulls in /status', () => {
  it('lists a running dataset pull with its bytes and provider, and not after it ends', async () => {
    const a = await sandbox.kit({ offline: false })
    const b = await sandbox.kit({ offline: false, bootstrap: a.addresses() })
    const dir = await sandbox.dir()
    await mkdir(join(dir, 'train'))
    for (let i = 0; i < 4; i++) await writeFile(join(dir, 'train', `part-${i}.bin`), randomBytes(3 * 1024 * 1024))
    await a.datasets.publish(dir, { name: 'acme/corpus' })

    const seen: ActivePull[] = []
    let statusRead: Promise<void> | undefined
    await b.datasets.pull('acme/corpus', {
      rank: 0,
      world: 1,
      onProgress: (event: any) => {
        // once the first file has landed, ask the status page's source what is running
        if (event.type === 'datasets:pull:file' && statusRead == null) statusRead = b.status().then(s => { seen.push(...s.pulls) })
      }
    })
    await statusRead
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ kind: 'dataset', name: 'acme/corpus', bytesTotal: 12 * 1024 * 1024 })
    expect(seen[0]?.bytesDone).toBeGreaterThan(0)
    expect(seen[0]?.providers.map(p => p.peer)).toEqual([a.peerId.toString()])
    expect((await b.status()).pulls).toEqual([])
  })
})
