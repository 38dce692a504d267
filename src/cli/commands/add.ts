/** `ipfs-kit add <path|->`: import a file (or stdin) and print its CID. */
import fs from 'node:fs/promises'
import path from 'node:path'
import { CommandFailedError } from '../errors.ts'
import { importProgress } from '../progress-bar.ts'
import { printJson, printLines } from '../output.ts'
import { UsageError } from '../../errors.ts'
import type { Command } from '../command.ts'
import type { BackendName } from '../../index.ts'

const BACKENDS: readonly BackendName[] = ['local', 'ipfs', 's3', 'filecoin']

/** `local,s3` → ['local', 's3'], refusing unknown names. */
function parseBackends (list: string): BackendName[] {
  const names = list.split(',').map(name => name.trim()).filter(name => name !== '')
  const unknown = names.filter(name => !BACKENDS.includes(name as BackendName))
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--backends takes a comma-separated list of ${BACKENDS.join(', ')}, got ${JSON.stringify(list)}`)
  return names as BackendName[]
}

export const add: Command = {
  name: 'add',
  usage: '<path|->',
  summary: 'add a file (or stdin with -) and print its CID',
  description: 'The CID is the one Kubo gives with the unixfs-v1-2025 profile. A progress bar is drawn on stderr when it is a terminal.',
  flags: {
    pin: { type: 'boolean', description: 'pin the content (default: config storage_policy.pin_by_default)' },
    filename: { type: 'string', value: '<name>', description: 'name recorded in the file index (default: the file\'s base name)' },
    backends: { type: 'string', value: '<list>', description: 'comma-separated backends: local, ipfs, s3 (default: config storage_policy.default_backends); a failing one is reported on stderr, the others still get the content' }
  },
  args: [1, 1],
  run: async ({ args, flags, globals, io, session }) => {
    const source = args[0] as string
    const fromStdin = source === '-'
    if (!fromStdin && (await fs.stat(source).catch(() => undefined))?.isDirectory() === true) {
      throw new CommandFailedError(`${source} is a directory; add takes one file`, 'add its files one by one, or stream an archive: tar c dir | ipfs-kit add -')
    }
    const filename = typeof flags.filename === 'string' ? flags.filename : fromStdin ? undefined : path.basename(source)
    const backends = typeof flags.backends === 'string' ? parseBackends(flags.backends) : undefined
    const node = await session()
    const progress = importProgress(io)
    let result
    try {
      result = await node.add(fromStdin ? io.stdin() : { path: source }, {
        filename,
        pin: flags.pin === true ? true : undefined,
        backends,
        onProgress: progress.onProgress
      })
    } finally {
      progress.done()
    }
    for (const failed of result.failedBackends ?? []) io.stderr.write(`ipfs-kit: warning: the ${failed.backend} backend failed (the content is stored elsewhere): ${failed.error}\n`)
    if (globals.json) {
      printJson(io, { cid: result.cid, size: result.size, filename: filename ?? null, ...(result.failedBackends == null ? {} : { failedBackends: result.failedBackends }) })
    } else {
      printLines(io, result.cid)
    }
  }
}
