/** `ipfs-kit cache put|get|rm|ls|stats`: the inference-result cache from the shell. */
import { readFile, writeFile } from 'node:fs/promises'
import { CommandFailedError, UsageError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'
// the one function, not config/index.ts: a command run through a daemon does not load the library
import { parseDuration } from '../../config/units.ts'
import type { Command } from '../command.ts'

export const cachePut: Command = {
  name: 'cache put',
  usage: '<key> [file|-]',
  summary: 'store a value (a file, or stdin with - or no file) under a key and print its CID',
  flags: { ttl: { type: 'string', value: '<duration>', description: 'time to live: 10m, 1h, 500ms (default: config cache.default_ttl)' } },
  args: [1, 2],
  run: async ({ args, flags, globals, io, session }) => {
    const key = args[0] as string
    let ttl: number | undefined
    if (typeof flags.ttl === 'string') {
      ttl = parseDuration(flags.ttl)
      if (ttl == null || ttl <= 0) throw new UsageError(`--ttl must be a duration over 0 like 10m, 1h or 500ms, got ${JSON.stringify(flags.ttl)}`)
    }
    const source = args[1] ?? '-'
    const value = source === '-' ? await readAll(io.stdin()) : new Uint8Array(await readFile(source))
    const result = await (await session()).cachePut(key, value, { ttl })
    if (globals.json) printJson(io, result)
    else printLines(io, result.cid)
  }
}

export const cacheGet: Command = {
  name: 'cache get',
  usage: '<key>',
  summary: 'write the value under a key to stdout (or -o file); a miss exits 1',
  description: 'A local miss asks connected peers (config cache.share); their value is verified against its CID before it is written.',
  flags: { output: { type: 'string', short: 'o', value: '<file>', description: 'write the value to this file instead of stdout' } },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, io, session }) => {
    const key = args[0] as string
    const value = await (await session()).cacheGet(key)
    if (value == null) throw new CommandFailedError(`cache miss: ${key}`)
    if (typeof flags.output === 'string') await writeFile(flags.output, value)
    else io.stdout.write(value)
  }
}

export const cacheRm: Command = {
  name: 'cache rm',
  usage: '<key>',
  summary: 'remove the entry under a key (its blocks go at the next gc); exit 1 when there is none',
  args: [1, 1],
  run: async ({ args, globals, io, session }) => {
    const key = args[0] as string
    if (!await (await session()).cacheRm(key)) throw new CommandFailedError(`no cache entry: ${key}`)
    if (globals.json) printJson(io, { key, removed: true })
    else printLines(io, `removed ${key}`)
  }
}

export const cacheLs: Command = {
  name: 'cache ls',
  usage: '',
  summary: 'list live cache entries: key, CID, size, expiry (ms since the epoch, or null)',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const entries = await (await session()).cacheLs()
    if (globals.json) printJson(io, entries)
    else if (entries.length === 0) printLines(io, 'no entries')
    else printLines(io, ...entries.map(e => `${e.key}  ${e.cid}  ${e.size}  ${e.expires == null ? 'never' : new Date(e.expires).toISOString()}`))
  }
}

export const cacheStats: Command = {
  name: 'cache stats',
  usage: '',
  summary: 'entries, bytes, hits, misses, remote hits, evictions and expirations since start',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const stats = await (await session()).cacheStats()
    if (globals.json) printJson(io, stats)
    else printLines(io, ...Object.entries(stats).map(([k, v]) => `${k}: ${v}`))
  }
}

async function readAll (stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}
