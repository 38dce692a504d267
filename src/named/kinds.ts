/**
 * What distinguishes one kind of named content from another: its manifest
 * type, wire protocol, gossip topic, DHT key prefix, local index prefix and
 * the errors its users see. Everything else (signed manifests, discovery by
 * name, candidate choice, verified multi-peer fetch, holds and pins) is
 * shared code in src/named/.
 */
import { DATASETS_PROTOCOL, DATASETS_TOPIC, MODELS_PROTOCOL, MODELS_TOPIC } from '../constants.ts'
import { DatasetNotFoundError, DatasetPullError, ModelNotFoundError, ModelPullError } from '../errors.ts'

export interface NamedKind {
  kind: 'model' | 'dataset'
  /** `type` of its manifest block. */
  manifestType: string
  /** `type` of its signed tombstone. */
  yankType: string
  protocol: string
  topic: string
  /** Prefix of the DHT keys derived from a name. */
  dhtPrefix: string
  /** Prefix of its records in the local LevelDB. */
  indexPrefix: string
  /** Prefix of its progress events (`models:pull:progress`). */
  events: 'models' | 'datasets'
  notFound(ref: string, reason?: string): Error
  /** A pull that ended with `incomplete` files (or shards). */
  pullError(ref: string, incomplete: Iterable<string>, options?: ErrorOptions): Error
}

export const MODEL_KIND: NamedKind = {
  kind: 'model',
  manifestType: 'ipfs-kit/model-manifest',
  yankType: 'ipfs-kit/model-yank',
  protocol: MODELS_PROTOCOL,
  topic: MODELS_TOPIC,
  dhtPrefix: 'ipfs-kit/model/',
  indexPrefix: '/ipfs-kit/models/',
  events: 'models',
  notFound: (ref, reason) => new ModelNotFoundError(ref, reason),
  pullError: (ref, incomplete, options) => new ModelPullError(ref, incomplete, options)
}

export const DATASET_KIND: NamedKind = {
  kind: 'dataset',
  manifestType: 'ipfs-kit/dataset-manifest',
  yankType: 'ipfs-kit/dataset-yank',
  protocol: DATASETS_PROTOCOL,
  topic: DATASETS_TOPIC,
  dhtPrefix: 'ipfs-kit/dataset/',
  indexPrefix: '/ipfs-kit/datasets/',
  events: 'datasets',
  notFound: (ref, reason) => new DatasetNotFoundError(ref, reason),
  pullError: (ref, incomplete, options) => new DatasetPullError(ref, incomplete, options)
}
