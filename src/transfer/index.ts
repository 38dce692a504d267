export { startTransferServer } from './server.ts'
export type { ServedBlocks, TransferServer, TransferServerInit } from './server.ts'
export { transferSource } from './session.ts'
export type { ProviderStats, SessionBlockstore, TransferProgressEvents, TransferSource, TransferSourceInit } from './session.ts'
export { encodeRequest, decodeRequest, flushed, FRAME_BLOCK, FRAME_BUSY, FRAME_MISSING, MAX_FRAME_BYTES, statusByte, writeFrame } from './wire.ts'
export { FrameReader } from './frame-reader.ts'
export type { DropReason } from './provider.ts'
export { checkRootSize, fileNodeOf, prefetchFile } from './prefetch.ts'
export type { FileNode, PrefetchOptions } from './prefetch.ts'
export { InFlight } from './in-flight.ts'
export { networkBlockSource } from './bitswap-source.ts'
export type { FetcherOptions, NetworkBlockSourceInit } from './bitswap-source.ts'
export { HaveMap } from './have-map.ts'
export { shuffled } from './shuffle.ts'
export { HaveAnnouncer } from './announcer.ts'
export { Downlink } from './downlink.ts'
import type { Downlink } from './downlink.ts'
import type { HaveMap } from './have-map.ts'
import type { HaveAnnouncer } from './announcer.ts'

/** A node's swarming state, shared by its transfer server and sessions. */
export interface TransferSwarm {
  haves: HaveMap
  announcer?: HaveAnnouncer
  /** Requests this node's sessions have in flight together, paced by its downlink (downlink.ts). */
  downlink?: Downlink
  /** Protocol ids spoken, preferred first. */
  protocols: string[]
}
