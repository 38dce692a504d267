/** `ipfs-kit key export|import`: move the publisher key between machines that publish as one publisher. */
import path from 'node:path'
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

const SECRET_WARNING = 'this file is a secret: whoever holds it publishes models as this publisher. Keep it 0600, move it over a trusted channel, delete copies you do not need.'

async function dataDirOf (globals: { config?: string, dataDir?: string }): Promise<string> {
  const { loadConfig, resolveDataDir } = await import('../../config/index.ts')
  const config = loadConfig({ file: globals.config, dataDir: globals.dataDir })
  return resolveDataDir(globals.dataDir, config.ipfs_kit.cache_dir)
}

export const keyExport: Command = {
  name: 'key export',
  usage: '<file>',
  summary: 'write the publisher key to a new file (0600), to publish as this publisher from another machine',
  args: [1, 1],
  run: async ({ args, globals, io }) => {
    const { exportPublisherKey } = await import('../../trust/index.ts')
    const file = path.resolve(args[0] as string)
    const key = await exportPublisherKey(await dataDirOf(globals), file)
    io.stderr.write(`warning: ${SECRET_WARNING}\n`)
    if (globals.json) printJson(io, { publisher: key.id, file })
    else printLines(io, `exported publisher ${key.id} to ${file}`)
  }
}

export const keyImport: Command = {
  name: 'key import',
  usage: '<file>',
  summary: 'make the key in a file this data directory\'s publisher key (restart a running daemon to use it)',
  args: [1, 1],
  run: async ({ args, globals, io }) => {
    const { importPublisherKey } = await import('../../trust/index.ts')
    const key = await importPublisherKey(await dataDirOf(globals), path.resolve(args[0] as string))
    io.stderr.write(`warning: ${SECRET_WARNING}\n`)
    if (globals.json) printJson(io, { publisher: key.id })
    else printLines(io, `this data directory now publishes as ${key.id}`)
  }
}
