/** `ipfs-kit swarm-key`: print a new swarm key for a private cluster. */
import { printJson } from '../output.ts'
import type { Command } from '../command.ts'

export const swarmKey: Command = {
  name: 'swarm-key',
  usage: '',
  summary: 'print a new random swarm key (Kubo swarm.key format) for a private cluster',
  description: 'Save it (`ipfs-kit swarm-key > swarm.key; chmod 600 swarm.key`), give every member the same file, and set `node.swarm_key` to its path.',
  args: [0, 0],
  run: async ({ globals, io }) => {
    const { generateSwarmKey } = await import('../../config/swarm-key.ts')
    const key = generateSwarmKey()
    if (globals.json) printJson(io, { key })
    else io.stdout.write(key)
  }
}
