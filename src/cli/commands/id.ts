/** `ipfs-kit id`: the node's peer id and listen addresses. */
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const id: Command = {
  name: 'id',
  usage: '',
  summary: 'show the peer id, the publisher id and listen addresses',
  description: 'Addresses are those of the running daemon; without one, nothing listens and the list is empty.',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const result = await (await session()).id()
    if (globals.json) {
      printJson(io, result)
      return
    }
    printLines(io, `peer id:   ${result.peerId}`, `publisher: ${result.publisher}`, 'addresses:', ...(result.addresses.length === 0 ? ['  (none: not listening)'] : result.addresses.map(a => `  ${a}`)))
  }
}
