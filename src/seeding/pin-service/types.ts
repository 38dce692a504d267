/** Public types of the Pinning Service API's requests (kit.seeding.pinService). */
/** Where a request is: waiting for a slot, fetching and pinning, pinned here, or given up. */
export type PinRequestStatus = 'queued' | 'pinning' | 'pinned' | 'failed'

export const PIN_REQUEST_STATUSES: readonly PinRequestStatus[] = ['queued', 'pinning', 'pinned', 'failed']

/** What a client asks to be pinned (the spec's `Pin` object). */
export interface PinRequestPin {
  cid: string
  name?: string
  /** Multiaddrs (ending in `/p2p/<peer id>`) that have the content: dialled, best effort, before the pin. */
  origins?: string[]
  /** Free-form string pairs kept with the request; `replicas` (`N` or `MIN:MAX`) asks the cluster for that many holders. */
  meta?: Record<string, string>
}

/** One request (the spec's `PinStatus`, less the node's `delegates`). */
export interface PinRequest {
  requestid: string
  status: PinRequestStatus
  /** ms since the epoch; unique across this node's requests (the spec pages by it). */
  created: number
  pin: PinRequestPin
  /** `status_details` (why it failed), `replicas` asked, and for a replicated root the `replication` state and `holders`. */
  info?: Record<string, string>
}

/** `GET /pins` filters. */
export interface PinRequestQuery {
  /** Any of these CIDs (at most 10). */
  cid?: string[]
  name?: string
  /** How `name` matches. @default 'exact' */
  match?: 'exact' | 'iexact' | 'partial' | 'ipartial'
  /** @default ['pinned'] */
  status?: PinRequestStatus[]
  /** Created strictly before / after, ms since the epoch. */
  before?: number
  after?: number
  /** @default 10, at most 1000 */
  limit?: number
  /** Every pair must be in the request's meta. */
  meta?: Record<string, string>
}

export interface PinRequestResults {
  /** Requests matching, before `limit`. */
  count: number
  /** Newest first. */
  results: PinRequest[]
}
