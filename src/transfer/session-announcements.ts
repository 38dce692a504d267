/**
 * What one transfer session tells its providers (1.1.0): every block that
 * lands, to every provider it met (at most TRANSFER_HAVE_FANOUT); a provider
 * met late first hears what already landed (the last TRANSFER_HAVE_QUEUE
 * blocks), or a hello ("I am fetching") when nothing has, and hears a hello
 * again every half of TRANSFER_HAVE_FRESH_MS it was told nothing, so that it
 * keeps asking us only for what we announced. The node's HaveAnnouncer
 * batches and sends.
 */
import { TRANSFER_HAVE_FANOUT, TRANSFER_HAVE_FRESH_MS, TRANSFER_HAVE_QUEUE } from '../constants.ts'
import type { HaveAnnouncer } from './announcer.ts'
import type { Provider } from './provider.ts'
import type { CID } from 'multiformats/cid'

export class SessionAnnouncements {
  /** Providers told, and when last. */
  private readonly told = new Map<string, number>()
  /** Blocks landed here, newest last. */
  private readonly blocks: CID[] = []

  constructor (private readonly announcer: HaveAnnouncer) {}

  /** Start telling providers met for the first time; say hello again to those told nothing for a while. */
  meet (reachable: Provider[], now: number): void {
    for (const p of reachable) {
      const last = this.told.get(p.key)
      if (last == null) {
        if (this.told.size >= TRANSFER_HAVE_FANOUT || p.capable === false || this.announcer.isLegacy(p.key)) continue
        this.told.set(p.key, now)
        this.announcer.announce(p.id, [...this.blocks])
      } else if (now - last >= TRANSFER_HAVE_FRESH_MS / 2) {
        this.told.set(p.key, now)
        this.announcer.announce(p.id, [])
      }
    }
  }

  /** `cid` landed: tell every provider met (`provider` finds one by its key). */
  landed (cid: CID, provider: (key: string) => Provider | undefined, now = Date.now()): void {
    this.blocks.push(cid)
    if (this.blocks.length > TRANSFER_HAVE_QUEUE) this.blocks.shift()
    for (const key of this.told.keys()) {
      const p = provider(key)
      if (p == null || p.dropped != null || this.announcer.isLegacy(key)) continue
      this.told.set(key, now)
      this.announcer.announce(p.id, [cid])
    }
  }
}
