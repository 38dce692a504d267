/** `model preheat` and `dataset preheat`: one command shape over `kit.seeding.preheat`, for either kind. */
import { CommandFailedError, UsageError } from '../errors.ts'
import { printJson, printLines } from '../output.ts'
import { parseTagFilter } from '../../config/tags.ts'
import type { Command } from '../command.ts'

/** The preheat command for `kind` (`model preheat` / `dataset preheat`). */
export function preheatCommand (kind: 'model' | 'dataset'): Command {
  return {
    name: `${kind} preheat`,
    usage: '<org/name>',
    summary: `make cluster members pull (and pin) a ${kind} now: all of them, N, or P%, optionally only those with a tag`,
    description: `Members accept only in a private cluster (node.swarm_key) or with seeding.accept_replicas; the most free space first. A member refuses a ${kind} whose manifest is over its seeding.replica_max_bytes or its free space, and the refusal is reported.`,
    flags: {
      peers: { type: 'string', value: '<all|N|P%>', description: 'how many members (default: all)' },
      tag: { type: 'string', value: '<key=value>', multiple: true, description: 'only members whose node.tags have it (repeat for several), e.g. --tag zone=a' },
      revision: { type: 'string', value: '<revision>', description: `${kind} revision (default: main)` }
    },
    args: [1, 1],
    network: true,
    run: async ({ args, flags, globals, io, session }) => {
      const peers = typeof flags.peers === 'string' ? flags.peers : 'all'
      if (!/^(all|[1-9]\d{0,4}|([1-9]\d?|100)%)$/.test(peers)) throw new UsageError(`--peers expects all, N or P% (like 3 or 50%), got ${peers}`)
      const tags: Record<string, string> = {}
      for (const text of Array.isArray(flags.tag) ? flags.tag as string[] : []) {
        const pair = parseTagFilter(text)
        if (pair == null) throw new UsageError(`--tag expects key=value (like zone=a), got ${text}`)
        tags[pair[0]] = pair[1]
      }
      const options = {
        peers,
        tags,
        revision: typeof flags.revision === 'string' ? flags.revision : undefined,
        onProgress: (event: { type: string, detail: { done: number, total: number, peerId: string, ok: boolean, error?: string } }) => {
          if (globals.json || event.type !== 'seeding:preheat:peer') return
          const d = event.detail
          io.stderr.write(`[${d.done}/${d.total}] ${d.peerId} ${d.ok ? 'pulled' : `failed: ${d.error ?? ''}`}\n`)
        }
      }
      const s = await session()
      const name = args[0] as string
      const results = kind === 'model' ? await s.modelPreheat(name, options) : await s.datasetPreheat(name, options)
      if (globals.json) printJson(io, results)
      else printLines(io, `preheated on ${results.filter(r => r.ok).length} of ${results.length} members`)
      const failed = results.filter(r => !r.ok)
      if (failed.length > 0) throw new CommandFailedError(`${failed.length} member(s) did not pull ${name}: ${failed.map(r => `${r.peerId}: ${r.error ?? 'no answer'}`).join('; ')}`, 'run the command again for the rest (members that have it answer at once)')
    }
  }
}
