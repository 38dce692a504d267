/** `ipfs-kit rm <cid>`: unpin and delete content. */
import { CommandFailedError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const rm: Command = {
  name: 'rm',
  usage: '<cid>',
  summary: 'unpin a file, forget it, and delete its blocks that no pin or other listed file holds',
  args: [1, 1],
  run: async ({ args, globals, io, session }) => {
    const cid = args[0] as string
    if (!await (await session()).rm(cid)) throw new CommandFailedError(`nothing to remove: ${cid} is not stored here`, 'run `ipfs-kit ls` to see what is stored')
    if (globals.json) printJson(io, { cid, removed: true })
    else printLines(io, `removed ${cid}`)
  }
}
