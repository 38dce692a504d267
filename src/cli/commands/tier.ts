/** `ipfs-kit tier <cid> [--to hot|warm|cold]`: move a root between the memory, disk and S3 tiers, or show where it is. */
import { UsageError } from '../../errors.ts'
import { formatBytes, printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'
import type { TierName } from '../../index.ts'

const TIERS: readonly TierName[] = ['hot', 'warm', 'cold']

export const tier: Command = {
  name: 'tier',
  usage: '<cid>',
  summary: 'move content to the hot (memory), warm (disk) or cold (S3) tier, or show where it is',
  description: 'cold uploads to backends.s3 what the bucket lacks (packed) and frees the local disk; warm copies back to disk; hot to disk and memory. Pins are kept. Without --to, only reports. --json prints {"cid","hot","warm","cold"}: bytes of the root\'s blocks in each tier.',
  flags: {
    to: { type: 'string', value: '<hot|warm|cold>', description: 'the tier to move the content to' }
  },
  args: [1, 1],
  run: async ({ args, flags, globals, io, session }) => {
    const to = flags.to
    if (to != null && (typeof to !== 'string' || !TIERS.includes(to as TierName))) throw new UsageError(`--to must be one of ${TIERS.join(', ')}`)
    const sizes = await (await session()).tier(args[0] as string, { to: to as TierName | undefined })
    if (globals.json) printJson(io, sizes)
    else printLines(io, `${sizes.cid}: hot ${formatBytes(sizes.hot)}, warm ${formatBytes(sizes.warm)}, cold ${formatBytes(sizes.cold)}`)
  }
}
