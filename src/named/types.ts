/** Types shared by every kind of named content (models, datasets): providers, searches, local records. */
import type { AbortOptions } from '@libp2p/interface'

/** Where a provider was learned from. */
export type ProviderSource = 'gossip' | 'peers' | 'dht'

export interface NamedProvider {
  peerId: string
  addresses: string[]
  /** The manifest CID this provider holds for the name. */
  root: string
  revision: string
  /** How we learned of it. */
  via: ProviderSource
  /** `findProviders` only, from the record at `root`: its verified publisher id (absent: unsigned or not fetched). */
  publisher?: string
  /** `findProviders` only: when the record was published, ms since the epoch. */
  created?: number
  /** `findProviders` only: whether a pull would accept this publisher for the org. */
  trusted?: boolean
  /** `findProviders` only: the root is the publisher's signed withdrawal of the revision. */
  yanked?: boolean
  /** `findProviders` only: why the root's record is unusable (not served, malformed, bad signature). */
  error?: string
}

export interface FindProvidersOptions extends AbortOptions {
  revision?: string
  /** Which mechanisms to ask. @default ['gossip', 'peers', 'dht'] */
  sources?: ProviderSource[]
  /** How long `findProviders` waits for the DHT. @default MODEL_FIND_TIMEOUT_MS */
  timeoutMs?: number
}

/** A name@revision this node holds (whole, or for a dataset the shares it pulled). */
export interface LocalRecord {
  name: string
  revision: string
  root: string
  /** ms since the epoch */
  created: number
  /** Published here, or pulled from peers. */
  origin: 'published' | 'pulled' | 'yanked'
}
