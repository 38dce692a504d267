/** `ipfs-kit gc`: remove every block no pin holds. */
import { formatBytes, printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const gc: Command = {
  name: 'gc',
  usage: '',
  summary: 'remove every block that no pin holds',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const result = await (await session()).gc()
    if (globals.json) printJson(io, result)
    else printLines(io, `removed ${result.removedBlocks} blocks, freed ${formatBytes(result.freedBytes)}`)
  }
}
