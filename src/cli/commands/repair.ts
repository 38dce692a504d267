/** `ipfs-kit repair`: rebuild a damaged datastore (LevelDB repair). */
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const repair: Command = {
  name: 'repair',
  usage: '',
  summary: 'rebuild a damaged datastore (pins, file index, identity) from its LevelDB files',
  description: 'Run when the node refuses to start with RepoCorruptError. The data directory must not be in use. Blocks are not touched; run `ipfs-kit verify --repair` afterwards.',
  args: [0, 0],
  run: async ({ globals, io }) => {
    const { loadConfig, resolveDataDir } = await import('../../config/index.ts')
    const { repairRepo } = await import('../../repo/index.ts')
    const config = loadConfig({ file: globals.config, dataDir: globals.dataDir })
    const dataDir = resolveDataDir(globals.dataDir, config.ipfs_kit.cache_dir)
    await repairRepo(dataDir)
    if (globals.json) printJson(io, { dataDir, repaired: true })
    else printLines(io, `repaired the datastore in ${dataDir}`, 'next: ipfs-kit verify --repair')
  }
}
