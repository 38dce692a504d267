/**
 * Sending a node's heartbeat to its connected peers, once a round (replicator.ts). A member (it
 * takes part in a replication or accepts replicas) tells every peer every round; a node that does
 * neither greets each connected peer once, marked quiet, and is silent after (a heartbeat per peer
 * per interval was 7.7 % of a 25-process mesh's busy time where nobody replicated anything). A
 * peer that (re)connects is greeted again (it may have restarted and know nothing of this node),
 * and a node falling quiet (its last replication ended) greets every peer again: that is how the
 * holders of a replication it originated learn that it ended. At most one heartbeat is in flight
 * per peer, and none is awaited: a slow peer must not delay the others'.
 */
import { sendSeedingMessage } from './protocol.ts'
import type { Message } from './messages.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

export class Heartbeats {
  private readonly sending = new Set<string>()
  /** Connected peers a heartbeat reached since they connected (a quiet node greets each once). */
  private readonly greeted = new Set<string>()
  /** Whether the last round's heartbeat was a member's (else a quiet greeting). */
  private speaking = false

  constructor (private readonly libp2p: Libp2p) {}

  start (): void {
    this.libp2p.addEventListener('peer:connect', this.onConnect)
  }

  stop (): void {
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
  }

  /** Send this round's heartbeat: to every connected peer when `speaking`, else (quiet) to those not greeted yet. */
  send (heartbeat: Message, speaking: boolean): void {
    if (!speaking && this.speaking) this.greeted.clear()
    this.speaking = speaking
    for (const peer of this.libp2p.getPeers()) {
      const key = peer.toString()
      if (this.sending.has(key) || (!speaking && this.greeted.has(key))) continue
      this.sending.add(key)
      sendSeedingMessage(this.libp2p, peer, heartbeat).then(() => { this.greeted.add(key) }, () => {}).finally(() => this.sending.delete(key))
    }
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => { this.greeted.delete(evt.detail.toString()) }
}
