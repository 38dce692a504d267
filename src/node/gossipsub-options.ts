/**
 * Gossipsub as the kit runs it. One change from the defaults: a fast message id, so that the copies
 * of a message a node receives from its other mesh peers (about D = 6 per message) are dropped
 * before their signature is checked. Without it gossipsub verifies every copy's Ed25519 signature
 * before it looks the message up in its seen cache; in a fleet of 50 nodes that verification
 * (and building a public key object for it) took a third of all CPU time
 * (benchmarks/discovery-scale.ts, docs/DESIGN.md). The fast id is taken only from a message that
 * passed validation (gossipsub caches it after the check), so a forged copy cannot mask the
 * genuine one; it covers the signer, sequence number and signature, which a valid message fixes.
 */
import type { GossipsubOpts } from '@libp2p/gossipsub'

type RawMessage = { from?: Uint8Array, seqno?: Uint8Array, signature?: Uint8Array, data?: Uint8Array }

/** The id gossipsub uses to drop a duplicate before validating it. */
export function fastMessageId (msg: RawMessage): string {
  const parts = [msg.from, msg.seqno, msg.signature ?? msg.data].map(p => p == null ? '' : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64'))
  return parts.join('.')
}

export function gossipsubOptions (): Partial<GossipsubOpts> {
  return { allowPublishToZeroTopicPeers: true, fastMsgIdFn: fastMessageId }
}
