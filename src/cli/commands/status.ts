/** `ipfs-kit status`: node, repository and backend figures. */
import { formatBytes, printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const status: Command = {
  name: 'status',
  usage: '',
  summary: 'show the node\'s mode, peers, repository size and backends',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const node = await session()
    const s = await node.status()
    if (globals.json) {
      printJson(io, s)
      return
    }
    const backends = Object.entries(s.backends).filter(([, on]) => on).map(([name]) => name)
    printLines(io,
      `peer id:  ${s.peerId}`,
      `data dir: ${s.cacheDir}`,
      `node:     ${s.usingFallback ? 'offline' : s.ipfsKitAvailable ? `online, ${plural(s.peers, 'peer connection')}` : 'stopped'}` +
        (node.via === 'daemon' ? ' (daemon)' : ''),
      `repo:     ${plural(s.repo.blocks, 'block')}, ${formatBytes(s.repo.bytes)}, ${plural(s.repo.pins, 'pin')}`,
      `backends: ${backends.join(', ')}`)
  }
}

function plural (n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
