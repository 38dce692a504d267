/**
 * Private networks: the libp2p connection protector (pnet) for the swarm key
 * that every member of a private cluster shares. The key's format and parsing
 * live in config/swarm-key.ts (the config validates it without a node).
 */
import { preSharedKey } from '@libp2p/pnet'
import { formatSwarmKey } from '../config/index.ts'
import type { SwarmKey } from '../config/index.ts'
import type { ConnectionProtector } from '@libp2p/interface'

/** The libp2p `connectionProtector` for a key. */
export function swarmKeyProtector (key: SwarmKey): () => ConnectionProtector {
  return preSharedKey({ psk: new TextEncoder().encode(formatSwarmKey(key.bytes)) })
}
