/** `ipfs-kit init`: create the data directory and the node identity. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { DATASTORE_DIR } from '../../constants.ts'
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const init: Command = {
  name: 'init',
  usage: '',
  summary: 'create the data directory and the node identity',
  description: 'Safe to run again: an existing directory keeps its identity and content.',
  args: [0, 0],
  run: async ({ globals, io }) => {
    const { loadConfig, resolveDataDir } = await import('../../config/index.ts')
    const config = loadConfig({ file: globals.config, dataDir: globals.dataDir })
    const existed = existsSync(path.join(resolveDataDir(globals.dataDir, config.ipfs_kit.cache_dir), DATASTORE_DIR))
    const { createKit } = await import('../../index.ts')
    const kit = await createKit({ dataDir: globals.dataDir, configFile: globals.config, offline: true })
    try {
      if (globals.json) {
        printJson(io, { peerId: kit.peerId.toString(), dataDir: kit.dataDir, created: !existed })
      } else {
        printLines(io,
          existed ? 'already initialized' : 'initialized',
          `peer id:  ${kit.peerId.toString()}`,
          `data dir: ${kit.dataDir}`)
      }
    } finally {
      await kit.stop()
    }
  }
}
