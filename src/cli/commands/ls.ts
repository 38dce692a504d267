/** `ipfs-kit ls`: the file index. */
import { formatBytes, formatTable, printJson } from '../output.ts'
import type { Command } from '../command.ts'

export const ls: Command = {
  name: 'ls',
  usage: '',
  summary: 'list stored files: CID, size, pin state, time stored, name',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const files = await (await session()).ls()
    if (globals.json) {
      printJson(io, files)
      return
    }
    const rows = files.map(f => [f.cid, formatBytes(f.size), f.pinned ? 'yes' : 'no', new Date(f.modified).toISOString(), f.filename ?? ''])
    io.stdout.write(formatTable(['CID', 'SIZE', 'PINNED', 'STORED', 'NAME'], rows))
  }
}
