/** `ipfs-kit get <cid> -o <path>`: save a file to disk. */
import fs from 'node:fs/promises'
import path from 'node:path'
import { formatBytes, printJson, printLines } from '../output.ts'
import { assertWritableDir, newFileMode } from '../writable.ts'
import type { Command } from '../command.ts'

export const get: Command = {
  name: 'get',
  usage: '<cid>',
  summary: 'save a file to disk',
  description: 'The file appears whole or not at all: bytes go to a temporary file beside it, renamed when complete. Through a daemon, the daemon writes the file (the path is resolved here, against this directory; the mode is this shell\'s 0666 less its umask).',
  flags: {
    output: { type: 'string', short: 'o', value: '<path>', description: 'where to write (a directory gets <dir>/<cid>; default ./<cid>)' }
  },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const cid = args[0] as string
    const target = await outputPath(typeof flags.output === 'string' ? flags.output : cid, cid)
    await assertWritableDir(path.dirname(target))
    const node = await session()
    const { size } = await node.save(cid, target, { mode: newFileMode() })
    if (globals.json) {
      printJson(io, { cid, path: target, size })
    } else {
      printLines(io, `saved ${formatBytes(size)} to ${target}`)
    }
  }
}

/** Absolute: a daemon that writes the file has its own working directory. */
async function outputPath (requested: string, cid: string): Promise<string> {
  const stat = await fs.stat(requested).catch(() => undefined)
  return path.resolve(stat?.isDirectory() === true ? path.join(requested, cid) : requested)
}
