import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as constants from '../src/constants.ts'
import { loadConfig } from '../src/config/index.ts'

const limits = readFileSync(new URL('../docs/LIMITS.md', import.meta.url), 'utf8')
const rows = limits.split('\n').filter(line => line.startsWith('|'))
/** The row whose first cell names `name`, else the first row that mentions it. */
const rowOf = (name: string): string | undefined => rows.find(line => line.startsWith('| `' + name + '`')) ?? rows.find(line => line.includes('`' + name + '`'))

describe('docs/LIMITS.md', () => {
  it.each(Object.entries(constants))('documents %s with the value the code uses', (name, value) => {
    const row = rowOf(name)
    expect(row, `${name} has no row in docs/LIMITS.md`).toBeDefined()
    const shown = Array.isArray(value) ? value.map(String) : [String(value)]
    for (const part of shown) expect(row).toContain(part)
  })

  it('gives the config defaults that config/ipfs-kit.yaml has', () => {
    const { performance, node, transfer } = loadConfig({ env: {} }).ipfs_kit
    expect(rowOf('performance.gc_watermark')).toContain(String(performance.gc_watermark))
    expect(rowOf('performance.fsync')).toContain(performance.fsync)
    expect(rowOf('performance.connection_pool_size')).toContain(String(performance.connection_pool_size))
    expect(performance.max_cache_size).toBe(10e9)
    expect(rowOf('performance.max_cache_size')).toContain('10GB')
    expect(performance.gc_interval).toBe(3_600_000)
    expect(rowOf('performance.gc_interval')).toContain('1h')
    expect(rowOf('node.listen')).toContain(node.listen[0])
    expect(rowOf('node.dht_protocol')).toContain(node.dht_protocol)
    expect(transfer.stream_max).toBe(constants.TRANSFER_STREAM_MAX_MS)
    expect(rowOf('transfer.stream_max')).toContain('60s')
    expect(transfer.upload_slots).toBe('auto')
    expect(rowOf('transfer.upload_slots')).toContain('`auto`')
    const { cache } = loadConfig({ env: {} }).ipfs_kit
    expect(rowOf('cache.max_entries')).toContain(String(cache.max_entries))
    expect(cache.max_bytes).toBe(1024 ** 3)
    expect(cache.memory_bytes).toBe(64 * 1024 ** 2)
    expect(cache.default_ttl).toBe(24 * 3_600_000)
    expect(cache.max_value_size).toBe(16 * 1024 ** 2)
    expect(cache.remote_timeout).toBe(2000)
    expect(cache.sweep_interval).toBe(10_000)
    expect(cache.hinted_grace).toBe(250)
    expect(rowOf('cache.hinted_grace')).toContain('250ms')
    expect(rowOf('cache.share')).toContain(String(cache.share))
  })
})
