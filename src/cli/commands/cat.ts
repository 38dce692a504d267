/** `ipfs-kit cat <cid>`: stream a file to stdout. */
import { integerFlag } from '../args.ts'
import { blockingWrites } from '../output.ts'
import type { Command } from '../command.ts'

export const cat: Command = {
  name: 'cat',
  usage: '<cid>',
  summary: 'write a file\'s bytes (or a range of them) to stdout',
  flags: {
    offset: { type: 'string', value: '<bytes>', description: 'first byte to write (default 0)' },
    length: { type: 'string', value: '<bytes>', description: 'number of bytes to write (default: to the end)' }
  },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, io, session }) => {
    const offset = integerFlag(flags, 'offset')
    const length = integerFlag(flags, 'length')
    const node = await session()
    blockingWrites(io.stdout)
    // false: the reader closed the pipe (`| head`), which is not an error
    await node.catTo(args[0] as string, io.stdout, { offset, length })
  }
}
