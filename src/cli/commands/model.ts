/** `ipfs-kit model publish|providers|pull|ls`: share models between workers by name. */
import path from 'node:path'
import { UsageError } from '../errors.ts'
import { ProgressBar } from '../progress-bar.ts'
import { formatBytes, printJson, printLines } from '../output.ts'
import { assertWritableDir } from '../writable.ts'
// the one function, not models/index.ts: a command run through a daemon does not load the library
import { hfCacheDir } from '../../models/hf-cache.ts'
import { preheatCommand } from './preheat.ts'
import type { Command } from '../command.ts'
import type { PullProgressEvents } from '../../index.ts'

const revisionFlag = { type: 'string', value: '<revision>', description: 'model revision (default: main)' } as const

export const modelPublish: Command = {
  name: 'model publish',
  usage: '<dir>',
  summary: 'store every file of a model directory, pin it and announce it under its name',
  description: 'Files unchanged since the last publish of the same revision keep their CIDs and are not imported again.',
  flags: { name: { type: 'string', value: '<org/name>', description: 'model name (required)' }, revision: revisionFlag },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const name = requiredString(flags.name, '--name')
    const result = await (await session()).modelPublish(path.resolve(args[0] as string), { name, revision: optional(flags.revision) })
    if (globals.json) printJson(io, result)
    else printLines(io, `published ${result.name}@${result.revision}: ${result.files} files, ${formatBytes(result.bytes)} (${result.storedFiles} stored, ${result.reusedFiles} unchanged)`, `root ${result.root}`)
  }
}

export const modelProviders: Command = {
  name: 'model providers',
  usage: '<org/name>',
  summary: 'list the peers that hold a model, with their addresses and the manifest each holds',
  flags: { revision: revisionFlag, timeout: { type: 'string', value: '<ms>', description: 'how long to wait for the DHT (default 10000)' } },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const timeoutMs = typeof flags.timeout === 'string' ? Number(flags.timeout) : undefined
    const providers = await (await session()).modelProviders(args[0] as string, { revision: optional(flags.revision), timeoutMs })
    if (globals.json) printJson(io, providers)
    else if (providers.length === 0) printLines(io, 'no providers found')
    else printLines(io, ...providers.map(p => `${p.peerId}  ${p.revision}  ${p.root}  ${providerVerdict(p)}  via ${p.via}  ${p.addresses.join(' ')}`))
  }
}

export const modelPull: Command = {
  name: 'model pull',
  usage: '<org/name>',
  summary: 'fetch a model from the peers that hold it, verify, pin and announce it',
  description: 'Resumable: run again after an interruption and only missing blocks are fetched. Exit 1 naming the incomplete files when no provider can finish it.',
  flags: {
    revision: revisionFlag,
    output: { type: 'string', short: 'o', value: '<dir>', description: 'write the files under this directory' },
    'hf-cache': { type: 'boolean', description: 'also lay the model out in the Hugging Face cache ($HF_HUB_CACHE or ~/.cache/huggingface/hub)' },
    force: { type: 'boolean', description: 'replace files under --output that this model did not write (without it the pull refuses, naming the file, before writing anything)' }
  },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    // Resolved here, against this shell's directory and environment: through a daemon, the daemon writes them.
    const dest = typeof flags.output === 'string' ? path.resolve(flags.output) : undefined
    const hfCache = flags['hf-cache'] === true ? hfCacheDir() : undefined
    for (const dir of [dest, hfCache]) if (dir != null) await assertWritableDir(dir)
    const bar = io.stderr.isTTY === true ? new ProgressBar({ stream: io.stderr, label: 'pulling' }) : undefined
    let result
    try {
      result = await (await session()).modelPull(args[0] as string, {
        revision: optional(flags.revision),
        dest,
        hfCache,
        force: flags.force === true,
        onProgress: bar == null ? undefined : (event: PullProgressEvents) => {
          if (event.type === 'models:pull:progress') bar.update(event.detail.bytesDone, event.detail.bytesTotal)
        }
      })
    } finally {
      bar?.done()
    }
    if (globals.json) {
      printJson(io, result)
    } else {
      printLines(io,
        `pulled ${result.name}@${result.revision}: ${result.files} files, ${formatBytes(result.bytes)} (${formatBytes(result.fetchedBytes)} from ${result.providers.length} peer(s))`,
        `root ${result.root}`,
        ...(result.dest != null ? [`files in ${result.dest}`] : []),
        ...(result.hfSnapshot != null ? [`hugging face snapshot ${result.hfSnapshot}`] : []))
    }
  }
}

export const modelLs: Command = {
  name: 'model ls',
  usage: '',
  summary: 'list the models this node holds (published or pulled)',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const models = await (await session()).modelList()
    if (globals.json) printJson(io, models)
    else if (models.length === 0) printLines(io, 'no models')
    else printLines(io, ...models.map(m => `${m.name}@${m.revision}  ${m.root}  ${m.origin}`))
  }
}

export const modelYank: Command = {
  name: 'model yank',
  usage: '<org/name>[@<revision>]',
  summary: 'withdraw a revision: publish a signed tombstone that pullers honour',
  description: 'Pullers that trust this publisher no longer pull the revision; `model providers` shows it as yanked. The blocks stay until gc.',
  args: [1, 1],
  network: true,
  run: async ({ args, globals, io, session }) => {
    const [name, revision] = (args[0] as string).split('@')
    const result = await (await session()).modelYank(name as string, { revision })
    if (globals.json) printJson(io, result)
    else printLines(io, `yanked ${result.name}@${result.revision}`, `tombstone ${result.root}`, `signed by ${result.publisher}`)
  }
}

export const modelTrust: Command = {
  name: 'model trust',
  usage: '<org> <publisher>',
  summary: 'trust a publisher id (did:key:…) to publish models for an org',
  description: 'Recorded in the data directory. An org listed in ipfs_kit.models.trusted_publishers follows the config instead.',
  args: [2, 2],
  run: async ({ args, globals, io, session }) => {
    const publishers = await (await session()).modelTrust(args[0] as string, args[1] as string)
    if (globals.json) printJson(io, { org: args[0], publishers })
    else printLines(io, `${args[0] as string} trusts: ${publishers.join(', ')}`)
  }
}

export const modelUntrust: Command = {
  name: 'model untrust',
  usage: '<org> <publisher>',
  summary: 'stop trusting a publisher for an org (no publisher left: trust on first use again)',
  args: [2, 2],
  run: async ({ args, globals, io, session }) => {
    const publishers = await (await session()).modelUntrust(args[0] as string, args[1] as string)
    if (globals.json) printJson(io, { org: args[0], publishers })
    else printLines(io, publishers.length === 0 ? `${args[0] as string}: no trusted publisher (the next one seen is trusted on first use)` : `${args[0] as string} trusts: ${publishers.join(', ')}`)
  }
}

export const modelTrusted: Command = {
  name: 'model trusted',
  usage: '',
  summary: 'list which publishers each org trusts (configured and recorded)',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const entries = await (await session()).modelTrusted()
    if (globals.json) printJson(io, entries)
    else if (entries.length === 0) printLines(io, 'no trust records yet (every org: trust on first use)')
    else printLines(io, ...entries.map(e => `${e.org}  ${e.source}  ${e.publishers.join(', ')}`))
  }
}

/** What `model providers` says of a provider's record. */
function providerVerdict (p: { trusted?: boolean, yanked?: boolean, publisher?: string, error?: string }): string {
  if (p.error != null) return `unusable (${p.error})`
  const who = p.publisher ?? 'unsigned'
  if (p.yanked === true) return `yanked by ${who}`
  return `${p.trusted === true ? 'trusted' : 'untrusted'} ${who}`
}

function optional (value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function requiredString (value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required`, 'e.g. ipfs-kit model publish ./my-model --name org/my-model')
  return value
}

export const modelPreheat: Command = preheatCommand('model')
