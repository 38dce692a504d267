/**
 * Trust in names: the data directory's publisher key, signatures over what
 * binds a name to content, and the record of which publisher may publish for
 * which org (configured, or trust on first use).
 */
export { isPublisherId, parsePublisherId, publisherId } from './publisher-id.ts'
export { exportPublisherKey, importPublisherKey, loadOrCreatePublisherKey } from './publisher-key.ts'
export type { PublisherKey } from './publisher-key.ts'
export { sign, verifySigned } from './signature.ts'
export type { Signed } from './signature.ts'
export { TrustStore } from './trust-store.ts'
export type { TrustRule, TrustStoreInit } from './trust-store.ts'
