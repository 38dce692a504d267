/** `ipfs-kit dataset publish|plan|pull|providers|ls`: sharded datasets by name, each worker pulling its share from any peer. */
import path from 'node:path'
import { UsageError } from '../errors.ts'
import { ProgressBar } from '../progress-bar.ts'
import { formatBytes, printJson, printLines } from '../output.ts'
import { assertWritableDir } from '../writable.ts'
// the one function, not config/index.ts: a command run through a daemon does not load the library
import { parseSize } from '../../config/units.ts'
import { preheatCommand } from './preheat.ts'
import type { Command } from '../command.ts'
import type { DatasetPullOptions } from '../../index.ts'

const revisionFlag = { type: 'string', value: '<revision>', description: 'dataset revision (default: main)' } as const
const rankFlags = {
  rank: { type: 'string', value: '<i>', description: 'this worker\'s rank, 0 … world-1' },
  world: { type: 'string', value: '<n>', description: 'number of workers' }
} as const

export const datasetPublish: Command = {
  name: 'dataset publish',
  usage: '<dir>',
  summary: 'store every file of a dataset directory as shards, pin them and announce the dataset under its name',
  description: 'Every file is a shard, paths kept. With --shard-size, .jsonl/.csv/.txt files larger than it are split at line boundaries into <path>.shard-00000, … Files unchanged since the last publish are not imported again.',
  flags: {
    name: { type: 'string', value: '<org/name>', description: 'dataset name (required)' },
    revision: revisionFlag,
    'shard-size': { type: 'string', value: '<size>', description: 'split line-based files larger than this (e.g. 64MiB)' }
  },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const name = requiredString(flags.name, '--name')
    let shardSize: number | undefined
    if (typeof flags['shard-size'] === 'string') {
      shardSize = parseSize(flags['shard-size'])
      if (shardSize == null) throw new UsageError(`--shard-size ${flags['shard-size']} is not a size (e.g. 64MiB)`)
    }
    const result = await (await session()).datasetPublish(path.resolve(args[0] as string), { name, revision: optional(flags.revision), shardSize })
    if (globals.json) printJson(io, result)
    else printLines(io, `published ${result.name}@${result.revision}: ${result.shards} shards, ${formatBytes(result.bytes)} (${result.storedFiles} files stored, ${result.reusedFiles} unchanged)`, `root ${result.root}`)
  }
}

export const datasetPlan: Command = {
  name: 'dataset plan',
  usage: '<org/name>',
  summary: 'the shards a rank gets: the same answer on every machine, from the manifest alone',
  flags: { ...rankFlags, revision: revisionFlag },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const plan = await (await session()).datasetPlan(args[0] as string, { rank: integer(flags.rank, '--rank'), world: integer(flags.world, '--world'), revision: optional(flags.revision) })
    if (globals.json) printJson(io, plan)
    else printLines(io, `${plan.name}@${plan.revision} rank ${plan.rank}/${plan.world}: ${plan.shards.length} shards, ${formatBytes(plan.bytes)}`, ...plan.shards.map(s => `${s.cid}  ${formatBytes(s.size)}  ${s.path}${s.records != null ? `  ${s.records} records` : ''}`))
  }
}

export const datasetPull: Command = {
  name: 'dataset pull',
  usage: '<org/name>',
  summary: 'fetch this worker\'s share from every peer that holds it, verify, pin and announce it',
  description: 'Give --rank and --world, or --group (an elastic group: the plan follows the live members; a member gone for datasets.member_grace has its shards taken over). Without -o the shards are only fetched and pinned. Resumable: run again and only missing blocks are fetched.',
  flags: {
    ...rankFlags,
    group: { type: 'string', value: '<name>', description: 'join an elastic group instead of --rank/--world' },
    revision: revisionFlag,
    output: { type: 'string', short: 'o', value: '<dir>', description: 'write the shards under this directory, at their published paths' },
    force: { type: 'boolean', description: 'replace files under --output that this dataset did not write' }
  },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const dest = typeof flags.output === 'string' ? path.resolve(flags.output) : undefined
    if (dest != null) await assertWritableDir(dest)
    const share = typeof flags.group === 'string' && flags.rank == null && flags.world == null
      ? { group: flags.group }
      : { rank: integer(flags.rank, '--rank'), world: integer(flags.world, '--world'), ...(typeof flags.group === 'string' ? { group: flags.group } : {}) }
    const bar = io.stderr.isTTY === true ? new ProgressBar({ stream: io.stderr, label: 'pulling' }) : undefined
    let result
    try {
      result = await (await session()).datasetPull(args[0] as string, {
        ...share,
        revision: optional(flags.revision),
        dest,
        force: flags.force === true,
        onProgress: bar == null ? undefined : ((event: { type: string, detail: any }) => {
          if (event.type === 'datasets:pull:progress') bar.update(event.detail.bytesDone, event.detail.bytesTotal)
        }) as DatasetPullOptions['onProgress']
      })
    } finally {
      bar?.done()
    }
    if (globals.json) {
      printJson(io, result)
    } else {
      printLines(io,
        `pulled ${result.shards.length} shards of ${result.name}@${result.revision}, ${formatBytes(result.bytes)} (${formatBytes(result.fetchedBytes)} from ${result.providers.length} peer(s))`,
        `root ${result.root}`,
        ...(result.members != null ? [`group members ${result.members.length}`] : []),
        ...(result.dest != null ? [`shards in ${result.dest}`] : []))
    }
  }
}

export const datasetProviders: Command = {
  name: 'dataset providers',
  usage: '<org/name>',
  summary: 'list the peers that hold a dataset (whole or in part) and the manifest each holds',
  flags: { revision: revisionFlag, timeout: { type: 'string', value: '<ms>', description: 'how long to wait for the DHT (default 10000)' } },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const timeoutMs = typeof flags.timeout === 'string' ? Number(flags.timeout) : undefined
    const providers = await (await session()).datasetProviders(args[0] as string, { revision: optional(flags.revision), timeoutMs })
    if (globals.json) printJson(io, providers)
    else if (providers.length === 0) printLines(io, 'no providers found')
    else printLines(io, ...providers.map(p => `${p.peerId}  ${p.revision}  ${p.root}  ${p.error ?? (p.trusted === true ? 'trusted' : 'untrusted')}  via ${p.via}`))
  }
}

export const datasetLs: Command = {
  name: 'dataset ls',
  usage: '',
  summary: 'list the datasets this node holds (published, or the shares it pulled)',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const datasets = await (await session()).datasetList()
    if (globals.json) printJson(io, datasets)
    else if (datasets.length === 0) printLines(io, 'no datasets')
    else printLines(io, ...datasets.map(d => `${d.name}@${d.revision}  ${d.root}  ${d.origin}${d.shards != null ? `  ${d.shards.length} shards held` : ''}`))
  }
}

function optional (value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function requiredString (value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required`)
  return value
}

/** A flag holding a whole number; the library checks the range (rank < world) and says so in one line. */
function integer (value: unknown, flag: string): number {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required (or --group)`)
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} ${value} is not a whole number`)
  return n
}

export const datasetPreheat: Command = preheatCommand('dataset')
