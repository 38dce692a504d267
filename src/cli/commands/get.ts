/** `ipfs-kit get <cid> -o <path>`: stream a file to disk. */
import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { formatBytes, printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const get: Command = {
  name: 'get',
  usage: '<cid>',
  summary: 'save a file to disk',
  description: 'The file appears whole or not at all: bytes go to a temporary file beside it, renamed when complete.',
  flags: {
    output: { type: 'string', short: 'o', value: '<path>', description: 'where to write (a directory gets <dir>/<cid>; default ./<cid>)' }
  },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const cid = args[0] as string
    const target = await outputPath(typeof flags.output === 'string' ? flags.output : cid, cid)
    const node = await session()
    const partial = `${target}.${process.pid}.part`
    let size = 0
    async function * counted (): AsyncGenerator<Uint8Array> {
      for await (const chunk of node.cat(cid)) {
        size += chunk.byteLength
        yield chunk
      }
    }
    try {
      await pipeline(Readable.from(counted()), createWriteStream(partial, { flags: 'wx' }))
      await fs.rename(partial, target)
    } catch (err) {
      await fs.rm(partial, { force: true })
      throw err
    }
    if (globals.json) {
      printJson(io, { cid, path: target, size })
    } else {
      printLines(io, `saved ${formatBytes(size)} to ${target}`)
    }
  }
}

async function outputPath (requested: string, cid: string): Promise<string> {
  const stat = await fs.stat(requested).catch(() => undefined)
  return path.resolve(stat?.isDirectory() === true ? path.join(requested, cid) : requested)
}
