/** `ipfs-kit add <path|->`: import a file (or stdin) and print its CID. */
import fs from 'node:fs/promises'
import path from 'node:path'
import { CommandFailedError } from '../errors.ts'
import { importProgress } from '../progress-bar.ts'
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const add: Command = {
  name: 'add',
  usage: '<path|->',
  summary: 'add a file (or stdin with -) and print its CID',
  description: 'The CID is the one Kubo gives with the unixfs-v1-2025 profile. A progress bar is drawn on stderr when it is a terminal.',
  flags: {
    pin: { type: 'boolean', description: 'pin the content (default: config storage_policy.pin_by_default)' },
    filename: { type: 'string', value: '<name>', description: 'name recorded in the file index (default: the file\'s base name)' }
  },
  args: [1, 1],
  run: async ({ args, flags, globals, io, session }) => {
    const source = args[0] as string
    const fromStdin = source === '-'
    if (!fromStdin && (await fs.stat(source).catch(() => undefined))?.isDirectory() === true) {
      throw new CommandFailedError(`${source} is a directory; add takes one file`, 'add its files one by one, or stream an archive: tar c dir | ipfs-kit add -')
    }
    const filename = typeof flags.filename === 'string' ? flags.filename : fromStdin ? undefined : path.basename(source)
    const node = await session()
    const progress = importProgress(io)
    let result
    try {
      result = await node.add(fromStdin ? io.stdin() : { path: source }, {
        filename,
        pin: flags.pin === true ? true : undefined,
        onProgress: progress.onProgress
      })
    } finally {
      progress.done()
    }
    if (globals.json) {
      printJson(io, { cid: result.cid, size: result.size, filename: filename ?? null })
    } else {
      printLines(io, result.cid)
    }
  }
}
