/** `ipfs-kit pin add|rm|ls`: the pins that keep content through gc. */
import { NotFoundError } from '../../errors.ts'
import { CommandFailedError, UsageError } from '../errors.ts'
import { formatTable, printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const pinAdd: Command = {
  name: 'pin add',
  usage: '<cid>',
  summary: 'pin content so gc keeps it (fetched from peers when missing and online)',
  flags: { replicas: { type: 'string', value: '<n|min:max>', description: 'also have the cluster keep that many live holders (N: exactly N)' } },
  args: [1, 1],
  network: true,
  run: async ({ args, flags, globals, io, session }) => {
    const cid = args[0] as string
    const replicas = typeof flags.replicas === 'string' ? flags.replicas : undefined
    if (replicas != null && !/^\d+(:\d+)?$/.test(replicas)) throw new UsageError(`--replicas expects N or MIN:MAX (like 3 or 2:4), got ${replicas}`)
    if (!await (await session()).pinAdd(cid, { replicas })) throw new NotFoundError(cid)
    if (globals.json) printJson(io, { cid, pinned: true, ...(replicas == null ? {} : { replicas }) })
    else printLines(io, `pinned ${cid}`)
  }
}

export const pinRm: Command = {
  name: 'pin rm',
  usage: '<cid>',
  summary: 'remove a pin (the blocks stay until gc or rm)',
  args: [1, 1],
  run: async ({ args, globals, io, session }) => {
    const cid = args[0] as string
    if (!await (await session()).pinRm(cid)) throw new CommandFailedError(`${cid} is not pinned`, 'run `ipfs-kit pin ls` to see the pins')
    if (globals.json) printJson(io, { cid, pinned: false })
    else printLines(io, `unpinned ${cid}`)
  }
}

export const pinLs: Command = {
  name: 'pin ls',
  usage: '',
  summary: 'list pins',
  args: [0, 0],
  run: async ({ globals, io, session }) => {
    const pins = await (await session()).pinLs()
    if (globals.json) {
      printJson(io, pins)
      return
    }
    io.stdout.write(formatTable(['CID', 'BLOCKS', 'PINNED', 'ORIGINS'], pins.map(p => [p.cid, String(p.blocks), new Date(p.created).toISOString(), p.origins.join(',')])))
  }
}
