/** Shared pieces of the crash tests: random files, temp-file scans, full-DAG checks. */
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kit } from '../../src/index.ts'

export { MiB, writeRandomFile } from '../fixtures/random-file.ts'

/** Temp files anywhere under the blocks directory. */
export async function tempFiles (dataDir: string): Promise<string[]> {
  const found: string[] = []
  const blocks = join(dataDir, 'blocks')
  for (const shard of await readdir(blocks).catch(() => [] as string[])) {
    if (shard.startsWith('.tmp-')) found.push(shard) // a staged chunk (FsBlockstore.stage)
    for (const name of await readdir(join(blocks, shard)).catch(() => [] as string[])) {
      if (name.startsWith('.tmp-')) found.push(join(shard, name))
    }
  }
  return found
}

/** sha256 (hex) of the content under `cid`, read through the verified reader. */
export async function contentHash (kit: Kit, cid: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of kit.storage.stream(cid)) hash.update(chunk)
  return hash.digest('hex')
}

export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * Check the pin index against the DAGs themselves: every pinned DAG is
 * complete, and every block's reference count equals the number of pins whose
 * DAG holds it. Returns the number of pins.
 */
export async function checkPinIndex (kit: Kit): Promise<number> {
  const { walkDag } = await import('../../src/pins/index.ts')
  const { localBlockSource } = await import('../../src/blocks/index.ts')
  const { FsBlockstore } = await import('../../src/blocks/index.ts')
  const source = localBlockSource(new FsBlockstore(join(kit.dataDir, 'blocks')))
  const expected = new Map<string, number>()
  let pins = 0
  for await (const pin of kit.pins.ls()) {
    pins++
    const blocks = await walkDag(source, pin.cid) // throws when a block is missing
    for (const key of blocks.keys()) expected.set(key, (expected.get(key) ?? 0) + 1)
  }
  const referenced = await kit.pins.referencedKeys()
  if (referenced.size !== expected.size) throw new Error(`${referenced.size} blocks have a reference count, ${expected.size} should`)
  for (const [key, count] of expected) {
    const actual = await kit.pins.refCount(key)
    if (actual !== count) throw new Error(`block ${key} has count ${actual}, should be ${count}`)
  }
  return pins
}
