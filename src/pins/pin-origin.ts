/**
 * Why a root is pinned. A pin record carries the list of its origins; a root
 * stays pinned while any is left, so dropping an automatic or replica pin
 * never takes away a pin a user, a model or a dataset made.
 */
import { InvalidInputError } from '../errors.ts'

/**
 * `user` a pin someone asked for (CLI, RPC, library default); `auto` popularity-driven
 * (src/seeding); `replica` held for the cluster's replication factor; `model` / `dataset`
 * held by the model or dataset index for what it lists; `service` asked through the Pinning
 * Service API (`/pins`).
 */
export type PinOrigin = 'user' | 'auto' | 'replica' | 'model' | 'dataset' | 'service'

export const PIN_ORIGINS: readonly PinOrigin[] = ['user', 'auto', 'replica', 'model', 'dataset', 'service']

/** Records written before origins existed were user pins. */
export const LEGACY_ORIGINS: readonly PinOrigin[] = ['user']

/** @throws InvalidInputError for anything but one of PIN_ORIGINS */
export function assertPinOrigin (origin: unknown): asserts origin is PinOrigin {
  if (!PIN_ORIGINS.includes(origin as PinOrigin)) throw new InvalidInputError(`unknown pin origin ${JSON.stringify(origin)}`, `use one of ${PIN_ORIGINS.join(', ')}`)
}

/** True when only automatic pinning keeps the root: a weak pin that disk pressure may drop. */
export function isWeakPin (origins: readonly PinOrigin[]): boolean {
  return origins.length > 0 && origins.every(origin => origin === 'auto')
}
