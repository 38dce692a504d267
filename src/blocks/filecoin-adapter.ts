/**
 * What a Filecoin backend implements. ipfs-kit ships no implementation (a
 * deal needs a storage provider, a wallet and days of sealing, none of which
 * belongs in this package); an application passes one to `createKit({
 * filecoin })`. It receives the cold tier's packs — CARv1 files, the unit
 * Filecoin deals are made of — and returns them by their piece of content.
 * `backends.filecoin.enabled: true` without an adapter is a ConfigError.
 */
import type { AbortOptions } from '@libp2p/interface'

/** Where a pack's deal stands, as the adapter's provider reports it. */
export interface FilecoinDealStatus {
  /** `queued`: accepted, not yet in a deal; `active`: sealed and proven; `failed`: retry with `storePack`. */
  state: 'queued' | 'active' | 'failed'
  /** The provider's deal ids, when known. */
  deals: string[]
  /** A one-line reason, for `failed`. */
  error?: string
}

export interface FilecoinAdapter {
  /** A name for logs and `status().backendHealth.filecoin` (e.g. the provider's). */
  readonly name: string
  /**
   * Hand over one pack (a CARv1 whose blocks the caller has verified). Resolves once the
   * provider has accepted it (not once it is sealed): `dealStatus` follows it from there.
   */
  storePack(pack: { id: string, bytes: Uint8Array }, options?: AbortOptions): Promise<void>
  /** The pack's bytes back (the caller hashes every block against its CID before use), or undefined when the provider has none. */
  fetchPack(id: string, options?: AbortOptions): Promise<Uint8Array | undefined>
  /** The deal state of a pack given to `storePack`. */
  dealStatus(id: string, options?: AbortOptions): Promise<FilecoinDealStatus>
}
