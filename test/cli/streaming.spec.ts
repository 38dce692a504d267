/**
 * Files larger than the memory anyone would spend on them go through the CLI
 * and the daemon as streams: neither process's peak memory grows by anything
 * near the file's size.
 */
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { MiB, cleanup, peakRss, run, spawnCli, startDaemon, tempDir, watchPeakRss } from './helpers.ts'

const FILE_SIZE = 256 * MiB
/** Growth allowed over a small command's peak (about 70 MiB measured: read-ahead, write concurrency, garbage not yet collected); holding the file would take 256. */
const ALLOWED_GROWTH = 128 * MiB

describe.runIf(process.platform === 'linux')('streaming through the daemon', () => {
  afterAll(cleanup)

  it(`adds and cats ${FILE_SIZE / MiB} MiB without holding it in memory`, async () => {
    const dir = await tempDir()
    const repo = path.join(dir, 'repo')
    // no hot tier: this measures streaming, and the hot tier is memory spent on purpose (up to
    // performance.memory_cache_size of verified blocks; test/storage/tiers.spec.ts bounds it)
    const config = path.join(dir, 'no-hot-tier.yaml')
    await fs.writeFile(config, 'ipfs_kit:\n  performance:\n    memory_cache_size: 0\n')
    const daemon = await startDaemon(repo, ['--offline', '--config', config])
    const pid = daemon.process.pid as number

    // a small command first: the baseline of a CLI process, and of the daemon serving one
    const small = spawnCli(['id', '--data-dir', repo])
    small.stdin?.end()
    const smallPeak = await watchPeakRss(small)
    const daemonBefore = await peakRss(pid)

    const sent = createHash('sha256')
    const add = spawnCli(['add', '-', '--data-dir', repo])
    const addPeak = watchPeakRss(add)
    let cid = ''
    add.stdout?.on('data', (chunk: Buffer) => { cid += chunk.toString() })
    Readable.from((async function * () {
      for (let done = 0; done < FILE_SIZE; done += MiB) {
        const chunk = randomBytes(MiB)
        sent.update(chunk)
        yield chunk
      }
    })()).pipe(add.stdin as NodeJS.WritableStream)
    const [addCode] = await once(add, 'close')
    expect(addCode).toBe(0)

    const received = createHash('sha256')
    let bytes = 0
    const cat = spawnCli(['cat', cid.trim(), '--data-dir', repo])
    cat.stdin?.end()
    const catPeak = watchPeakRss(cat)
    cat.stdout?.on('data', (chunk: Buffer) => {
      received.update(chunk)
      bytes += chunk.length
    })
    const [catCode] = await once(cat, 'close')
    expect(catCode).toBe(0)
    expect(bytes).toBe(FILE_SIZE)
    expect(received.digest('hex')).toBe(sent.digest('hex'))

    expect(await addPeak - smallPeak).toBeLessThan(ALLOWED_GROWTH)
    expect(await catPeak - smallPeak).toBeLessThan(ALLOWED_GROWTH)
    expect(await peakRss(pid) - daemonBefore).toBeLessThan(ALLOWED_GROWTH)
    expect((await run(['ls', '--json', '--data-dir', repo])).stdout).toContain(`"size":${FILE_SIZE}`)
    expect(await daemon.stop()).toBe(0)
  }, 180_000)
})
