import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { DAEMON_NODE_FLAGS } from '../../src/constants.ts'
import { startedWithFlag } from '../../src/node/index.ts'

const root = new URL('../../', import.meta.url)

describe('heap tuning', () => {
  it('sees a flag given on the command line or in NODE_OPTIONS, with or without a value, in either spelling', () => {
    expect(startedWithFlag('--heap-growing-percent', ['--heap-growing-percent=50'], '')).toBe(true)
    expect(startedWithFlag('--heap-growing-percent', [], '--max-old-space-size=100 --heap_growing_percent=20')).toBe(true)
    expect(startedWithFlag('--heap-growing-percent', ['--heap-growing-percent'], '')).toBe(true)
    expect(startedWithFlag('--heap-growing-percent', ['--heap-growing-percentage=1', '--inspect'], '--heap')).toBe(false)
    expect(startedWithFlag('--heap-growing-percent', [], '')).toBe(false)
  })

  it('the daemon entry points run with DAEMON_NODE_FLAGS: the bin shebang, its re-run under a newer Node, and npm start', async () => {
    const bin = await readFile(new URL('bin/ipfs-kit.js', root), 'utf8')
    const flags = DAEMON_NODE_FLAGS.join(' ')
    expect(bin.split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`)
    expect(bin).toContain(`spawnSync(local, [${DAEMON_NODE_FLAGS.map(f => `'${f}'`).join(', ')}, fileURLToPath(import.meta.url)`)
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8'))
    expect(pkg.scripts.start).toBe(`node ${flags} bin/ipfs-kit.js daemon`)
  })
})
