/** `ipfs-kit verify [--repair]`: hash every block; list corrupt and missing ones; optionally re-fetch them from peers. */
import { CommandFailedError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const verify: Command = {
  name: 'verify',
  usage: '',
  summary: 'check every block against its hash; list corrupt blocks and blocks pins lack',
  description: 'Corrupt blocks are moved to <data-dir>/quarantine as they are found. With --repair, corrupt and missing blocks of pins and listed files are fetched again from connected peers; pins that stay incomplete are named. Exits 1 when anything is wrong (after --repair: when a pin stays incomplete).',
  flags: { repair: { type: 'boolean', description: 'fetch corrupt and missing blocks again from peers' } },
  args: [0, 0],
  network: true,
  run: async ({ flags, globals, io, session }) => {
    const repair = flags.repair === true
    const result = await (await session()).verify({ repair })
    if (globals.json) {
      printJson(io, result)
    } else {
      printLines(io,
        `checked ${result.checked} blocks`,
        ...result.corrupt.map(cid => `corrupt  ${cid}`),
        ...result.missing.map(cid => `missing  ${cid}`),
        ...(repair ? result.repaired.map(cid => `repaired ${cid}`) : []),
        ...result.incompletePins.map(cid => `incomplete pin ${cid}`))
    }
    const bad = repair ? result.incompletePins.length > 0 : result.corrupt.length + result.missing.length > 0
    if (bad) {
      throw new CommandFailedError(
        repair ? `${result.incompletePins.length} pin(s) stay incomplete: no connected peer holds their missing blocks` : `${result.corrupt.length} corrupt and ${result.missing.length} missing block(s)`,
        repair ? 'connect to a peer that holds the data (daemon --bootstrap), then run `ipfs-kit verify --repair` again' : 'run `ipfs-kit verify --repair` with a peer that holds the data')
    }
  }
}
