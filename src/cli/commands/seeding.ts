/** `ipfs-kit seeding stats`: what this node reads and serves, per root. */
import { UsageError } from '../errors.ts'
import { formatTable, printJson } from '../output.ts'
import type { Command } from '../command.ts'

export const seedingStats: Command = {
  name: 'seeding stats',
  usage: '',
  summary: 'access statistics per root, hottest first: reads here, fetches by peers, decayed score',
  description: 'The score counts reads and fetches, each halving every seeding.half_life; roots read seeding.auto_pin_reads times within seeding.auto_pin_window are pinned with origin "auto".',
  flags: { limit: { type: 'string', value: '<n>', description: 'show the hottest n roots (default: all)' } },
  args: [0, 0],
  run: async ({ flags, globals, io, session }) => {
    const limit = flags.limit == null ? undefined : Number(flags.limit)
    if (limit != null && (!Number.isSafeInteger(limit) || limit < 1)) throw new UsageError(`--limit expects a positive integer, got ${String(flags.limit)}`)
    const stats = await (await session()).seedingStats({ limit })
    if (globals.json) {
      printJson(io, stats)
      return
    }
    io.stdout.write(formatTable(['CID', 'READS', 'SERVED', 'SCORE', 'LAST READ'], stats.roots.map(r => [r.cid, String(r.reads), String(r.served), r.score.toFixed(2), r.lastRead === 0 ? '-' : new Date(r.lastRead).toISOString()])))
  }
}

export const replicationLs: Command = {
  name: 'replication ls',
  usage: '',
  summary: 'replicated roots: min, max, live holders, state (ok, under, over, repairing)',
  args: [0, 0],
  network: true,
  run: async ({ globals, io, session }) => {
    const rows = await (await session()).replicationLs()
    if (globals.json) {
      printJson(io, rows)
      return
    }
    io.stdout.write(formatTable(['CID', 'MIN', 'MAX', 'HOLDERS', 'STATE'], rows.map(r => [r.cid, String(r.min), String(r.max), String(r.holders.length), r.state])))
  }
}
