/**
 * Every error ipfs-kit throws on purpose. Callers branch on `err.name` (or the
 * stable `err.code`); docs/errors.md gives each one's meaning, and the CLI maps
 * each to an exit code and a hint.
 */

export abstract class KitError extends Error {
  /** Stable machine-readable code, e.g. `ERR_OFFLINE`. */
  abstract readonly code: string
  /** What the user can do about it, one line. */
  readonly hint: string | undefined

  constructor (message: string, hint?: string, options?: ErrorOptions) {
    super(message, options)
    this.hint = hint
  }
}

/** A network-only operation was called on a node that runs without libp2p. */
export class OfflineError extends KitError {
  static override readonly name = 'OfflineError'
  override readonly name = 'OfflineError'
  override readonly code = 'ERR_OFFLINE'
  constructor (operation: string) {
    super(`${operation} needs the network, but this node runs offline`, 'start without --offline / IPFS_KIT_DISABLE / force_fallback to use the network')
  }
}

/** Another process (or another Kit in this process) holds the data directory. */
export class RepoLockedError extends KitError {
  static override readonly name = 'RepoLockedError'
  override readonly name = 'RepoLockedError'
  override readonly code = 'ERR_REPO_LOCKED'
  constructor (readonly dataDir: string, options?: ErrorOptions) {
    super(`data directory ${dataDir} is in use by another ipfs-kit process`, 'stop the other process, or pass a different --data-dir', options)
  }
}

/** The data directory could not be opened for a reason other than a lock. */
export class RepoOpenError extends KitError {
  static override readonly name = 'RepoOpenError'
  override readonly name = 'RepoOpenError'
  override readonly code = 'ERR_REPO_OPEN'
  constructor (readonly dataDir: string, reason: string, options?: ErrorOptions) {
    super(`cannot open data directory ${dataDir}: ${reason}`, 'check the directory permissions and free space', options)
  }
}

/** The configuration file or options are invalid; the message names the key path. */
export class ConfigError extends KitError {
  static override readonly name = 'ConfigError'
  override readonly name = 'ConfigError'
  override readonly code = 'ERR_CONFIG'
  constructor (message: string, options?: ErrorOptions) {
    super(message, 'fix the configuration, then run `ipfs-kit config validate`', options)
  }
}

/** A string is not a valid CID. */
export class InvalidCIDError extends KitError {
  static override readonly name = 'InvalidCIDError'
  override readonly name = 'InvalidCIDError'
  override readonly code = 'ERR_INVALID_CID'
  constructor (readonly input: string, options?: ErrorOptions) {
    super(`not a valid CID: ${JSON.stringify(input.length > 100 ? input.slice(0, 100) + '…' : input)}`, 'pass a CID such as bafkrei…', options)
  }
}

/** A file given to `store({ path })` does not exist or cannot be read. */
export class InputNotFoundError extends KitError {
  static override readonly name = 'InputNotFoundError'
  override readonly name = 'InputNotFoundError'
  override readonly code = 'ERR_INPUT_NOT_FOUND'
  constructor (readonly path: string, options?: ErrorOptions) {
    super(`no such file: ${path}`, 'check the path', options)
  }
}

/** The input given to `store()` is not one of the accepted kinds. */
export class InvalidInputError extends KitError {
  static override readonly name = 'InvalidInputError'
  override readonly name = 'InvalidInputError'
  override readonly code = 'ERR_INVALID_INPUT'
  constructor (message: string, hint = 'pass a Uint8Array, a string, { path } or an AsyncIterable<Uint8Array>') {
    super(message, hint)
  }
}

/** Content is not in the local repository (and could not be fetched, when online). */
export class NotFoundError extends KitError {
  static override readonly name = 'NotFoundError'
  override readonly name = 'NotFoundError'
  override readonly code = 'ERR_NOT_FOUND'
  constructor (readonly cid: string, options?: ErrorOptions) {
    super(`content not found: ${cid}`, 'add it first, or connect to a peer that has it', options)
  }
}

/** A block's bytes do not hash to its CID. */
export class CorruptBlockError extends KitError {
  static override readonly name = 'CorruptBlockError'
  override readonly name = 'CorruptBlockError'
  override readonly code = 'ERR_CORRUPT_BLOCK'
  constructor (readonly cid: string) {
    super(`block ${cid} does not match its hash`, 'run `ipfs-kit verify`')
  }
}

/** The content is larger than `retrieve()` returns in one buffer. */
export class TooLargeError extends KitError {
  static override readonly name = 'TooLargeError'
  override readonly name = 'TooLargeError'
  override readonly code = 'ERR_TOO_LARGE'
  constructor (readonly cid: string, size: bigint | number, limit: number) {
    super(`${cid} is ${size} bytes, more than retrieve() returns at once (${limit})`, 'use stream() instead')
  }
}

/** The content is not something this operation handles (e.g. a directory given to `cat`). */
export class UnsupportedContentError extends KitError {
  static override readonly name = 'UnsupportedContentError'
  override readonly name = 'UnsupportedContentError'
  override readonly code = 'ERR_UNSUPPORTED_CONTENT'
  constructor (message: string) {
    super(message, 'pass the CID of a file')
  }
}

/** The Kit was used after `stop()`. */
export class KitStoppedError extends KitError {
  static override readonly name = 'KitStoppedError'
  override readonly name = 'KitStoppedError'
  override readonly code = 'ERR_KIT_STOPPED'
  constructor (readonly operation: string) {
    super(`${operation}: this kit was stopped`, 'create a new Kit with createKit() (the data directory is free again once stop() resolves)')
  }
}

/** The daemon holding the data directory did not answer on its control socket. */
export class DaemonUnreachableError extends KitError {
  static override readonly name = 'DaemonUnreachableError'
  override readonly name = 'DaemonUnreachableError'
  override readonly code = 'ERR_DAEMON_UNREACHABLE'
  constructor (readonly dataDir: string, reason: string, options?: ErrorOptions) {
    super(`the daemon holding ${dataDir} did not answer: ${reason}`, 'check that `ipfs-kit daemon` is running, or stop it', options)
  }
}

/** A CID uses a hash function or digest size ipfs-kit does not accept (checked before any I/O). */
export class UnsupportedHashError extends KitError {
  static override readonly name = 'UnsupportedHashError'
  override readonly name = 'UnsupportedHashError'
  override readonly code = 'ERR_UNSUPPORTED_HASH'
  constructor (readonly cid: string, reason: string) {
    super(`CID ${cid} is not accepted: ${reason}`, 'use CIDs hashed with sha2-256, sha2-512 or blake3 (digest 20–128 bytes), or identity CIDs of at most 128 bytes')
  }
}

/** The data directory's datastore (LevelDB) is damaged. */
export class RepoCorruptError extends KitError {
  static override readonly name = 'RepoCorruptError'
  override readonly name = 'RepoCorruptError'
  override readonly code = 'ERR_REPO_CORRUPT'
  constructor (readonly dataDir: string, reason: string, options?: ErrorOptions) {
    super(`the datastore in ${dataDir} is damaged: ${reason}`, `run \`ipfs-kit repair --data-dir ${dataDir}\`, then \`ipfs-kit verify --repair\``, options)
  }
}

/** gc found pinned DAGs with missing or corrupt blocks and removed nothing. */
export class DamagedPinsError extends KitError {
  static override readonly name = 'DamagedPinsError'
  override readonly name = 'DamagedPinsError'
  override readonly code = 'ERR_DAMAGED_PINS'
  /** CIDs of the missing or corrupt blocks. */
  readonly blocks: string[]
  constructor (blocks: Iterable<string>) {
    const list = Array.from(blocks)
    super(`gc removed nothing: ${list.length} block(s) of pinned DAGs are missing or corrupt: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`, 'run `ipfs-kit verify --repair` with a peer that holds the data, then gc again')
    this.blocks = list
  }
}

/** The command line is wrong: unknown command or flag, missing or extra argument. The CLI exits 2. */
export class UsageError extends KitError {
  static override readonly name = 'UsageError'
  override readonly name = 'UsageError'
  override readonly code = 'ERR_USAGE'
  constructor (message: string, hint = 'run `ipfs-kit --help` for usage') {
    super(message, hint)
  }
}

/** A CLI command ran but could not do what was asked (nothing to unpin, nothing to remove, damage found). The CLI exits 1. */
export class CommandFailedError extends KitError {
  static override readonly name = 'CommandFailedError'
  override readonly name = 'CommandFailedError'
  override readonly code = 'ERR_COMMAND_FAILED'
}

/** The daemon could not serve its control socket (path too long, permissions, …). */
export class ControlSocketError extends KitError {
  static override readonly name = 'ControlSocketError'
  override readonly name = 'ControlSocketError'
  override readonly code = 'ERR_CONTROL_SOCKET'
  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super(`cannot serve the control socket ${path}: ${reason}`, 'use a data directory with a shorter path that this user can write to', options)
  }
}

/** A control request the daemon cannot understand (a client of another version, or not ipfs-kit). */
export class BadRequestError extends KitError {
  static override readonly name = 'BadRequestError'
  override readonly name = 'BadRequestError'
  override readonly code = 'ERR_BAD_REQUEST'
  constructor (message: string) {
    super(message, 'use the ipfs-kit CLI of the same version as the daemon')
  }
}

/** A model name or revision is not in Hugging Face's `org/name` form, or could escape a directory. */
export class InvalidModelNameError extends KitError {
  static override readonly name = 'InvalidModelNameError'
  override readonly name = 'InvalidModelNameError'
  override readonly code = 'ERR_INVALID_MODEL_NAME'
  constructor (readonly input: string, reason: string) {
    super(`invalid model name or revision ${JSON.stringify(String(input).slice(0, 100))}: ${reason}`, 'use org/name (letters, digits, - _ .), e.g. meta-llama/Llama-3.2-1B, and a revision like main')
  }
}

/** A file path (in a model directory or a manifest) could escape its directory: `..`, absolute, NUL, backslash. */
export class UnsafePathError extends KitError {
  static override readonly name = 'UnsafePathError'
  override readonly name = 'UnsafePathError'
  override readonly code = 'ERR_UNSAFE_PATH'
  constructor (readonly path: string, reason: string) {
    super(`refusing file path ${JSON.stringify(String(path).slice(0, 200))}: ${reason}`, 'use relative paths without .., backslashes or NUL')
  }
}

/** No peer (and no local index entry) knows a model by this name (and revision). */
export class ModelNotFoundError extends KitError {
  static override readonly name = 'ModelNotFoundError'
  override readonly name = 'ModelNotFoundError'
  override readonly code = 'ERR_MODEL_NOT_FOUND'
  constructor (readonly model: string, reason = 'no provider found', options?: ErrorOptions) {
    super(`model ${model} not found: ${reason}`, 'check the name and revision (`ipfs-kit model providers <name>`), and that a peer that published it is connected', options)
  }
}

/** A pull ended with files it could not complete (no provider left, or timeout). */
export class ModelPullError extends KitError {
  static override readonly name = 'ModelPullError'
  override readonly name = 'ModelPullError'
  override readonly code = 'ERR_MODEL_PULL'
  /** Relative paths of the files that are incomplete. */
  readonly incomplete: string[]
  constructor (readonly model: string, incomplete: Iterable<string>, options?: ErrorOptions) {
    const list = Array.from(incomplete)
    super(`pull of ${model} incomplete: ${list.length} file(s) missing blocks: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`, 'run the pull again when a provider is reachable; what was fetched is kept', options)
    this.incomplete = list
  }
}

/** A pull would replace a file in its destination that this model did not write. */
export class DestinationExistsError extends KitError {
  static override readonly name = 'DestinationExistsError'
  override readonly name = 'DestinationExistsError'
  override readonly code = 'ERR_DESTINATION_EXISTS'
  constructor (readonly path: string, reason: string) {
    super(`refusing to replace ${path}: ${reason}; nothing was written`, 'move it away, pull into another directory, or pass --force (force: true) to replace it')
  }
}

/** A file's DAG does not match what the manifest (or the DAG's own nodes) declare: its size, or sizes that do not add up. */
export class ManifestMismatchError extends KitError {
  static override readonly name = 'ManifestMismatchError'
  override readonly name = 'ManifestMismatchError'
  override readonly code = 'ERR_MANIFEST_MISMATCH'
  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super(`${path} does not match its manifest: ${reason}`, 'the provider sent a manifest or DAG that lies about its size; nothing was written — pull from another provider', options)
  }
}

/** An operation was aborted through its signal. */
export class AbortError extends KitError {
  static override readonly name = 'AbortError'
  override readonly name = 'AbortError'
  override readonly code = 'ERR_ABORTED'
  constructor (message = 'the operation was aborted') {
    super(message)
  }
}

export class UntrustedPublisherError extends KitError {
  static override readonly name = 'UntrustedPublisherError'
  override readonly name = 'UntrustedPublisherError'
  override readonly code = 'ERR_UNTRUSTED_PUBLISHER'
  constructor (readonly org: string, readonly trusted: string[], readonly seen: string[], message?: string) {
    super(message != null && message !== '' ? message : `a publisher of ${org} is not trusted: ${Array.from(seen ?? []).join(', ')}`, `to accept a publisher: ipfs-kit model trust ${org} <publisher>; to drop one: ipfs-kit model untrust ${org} <publisher> (or set ipfs_kit.models.trusted_publishers)`)
  }
}

export class UnsignedManifestError extends KitError {
  static override readonly name = 'UnsignedManifestError'
  override readonly name = 'UnsignedManifestError'
  override readonly code = 'ERR_UNSIGNED_MANIFEST'
  constructor (readonly model: string) {
    super(`the only manifests found for ${model} are unsigned (published before publisher signatures)`, 'ask its publisher to publish it again, or set ipfs_kit.models.allow_unsigned: true to accept unsigned manifests')
  }
}

export class ModelYankedError extends KitError {
  static override readonly name = 'ModelYankedError'
  override readonly name = 'ModelYankedError'
  override readonly code = 'ERR_MODEL_YANKED'
  constructor (readonly model: string, readonly publisher: string) {
    super(`${model} was yanked by its publisher ${publisher}`, 'pull another revision (ipfs-kit model providers <name> lists them)')
  }
}

/** No peer (and no local index entry) knows a dataset by this name (and revision). */
export class DatasetNotFoundError extends KitError {
  static override readonly name = 'DatasetNotFoundError'
  override readonly name = 'DatasetNotFoundError'
  override readonly code = 'ERR_DATASET_NOT_FOUND'
  constructor (readonly dataset: string, reason = 'no provider found', options?: ErrorOptions) {
    super(`dataset ${dataset} not found: ${reason}`, 'check the name and revision (`ipfs-kit dataset providers <name>`), and that a peer that published it is connected', options)
  }
}

/** A dataset pull ended with shards no provider sent (none holds them, or all sent corrupt blocks). */
export class DatasetPullError extends KitError {
  static override readonly name = 'DatasetPullError'
  override readonly name = 'DatasetPullError'
  override readonly code = 'ERR_DATASET_PULL'
  /** Published paths of the shards that are incomplete. */
  readonly incomplete: string[]
  constructor (readonly dataset: string, incomplete: Iterable<string>, options?: ErrorOptions) {
    const list = Array.from(incomplete)
    super(`pull of ${dataset} incomplete: ${list.length} shard(s) no provider sent: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`, 'run the pull again when a peer holding them is reachable (`ipfs-kit dataset providers <name>`); what was fetched is kept', options)
    this.incomplete = list
  }
}

/** A dataset share asked for with rank/world/group that do not make sense. */
export class InvalidShareError extends KitError {
  static override readonly name = 'InvalidShareError'
  override readonly name = 'InvalidShareError'
  override readonly code = 'ERR_INVALID_SHARE'
  constructor (reason: string) {
    super(`invalid dataset share: ${reason}`, 'pass either --rank i --world n (0 <= i < n) or --group g, not both')
  }
}

/** A cache key is empty, not a string, or longer than CACHE_MAX_KEY_BYTES; nothing was stored. */
export class InvalidCacheKeyError extends KitError {
  static override readonly name = 'InvalidCacheKeyError'
  override readonly name = 'InvalidCacheKeyError'
  override readonly code = 'ERR_CACHE_KEY'
  constructor (reason: string) {
    super(`invalid cache key: ${reason}`, 'use a non-empty key of at most 1024 bytes (cacheKey() makes one from a request)')
  }
}

/** A cache value is larger than `cache.max_value_size`; nothing was stored. */
export class CacheValueTooLargeError extends KitError {
  static override readonly name = 'CacheValueTooLargeError'
  override readonly name = 'CacheValueTooLargeError'
  override readonly code = 'ERR_CACHE_VALUE_TOO_LARGE'
  constructor (readonly size: number, readonly limit: number) {
    super(`cache value of ${size} bytes is over cache.max_value_size (${limit} bytes)`, 'store large results with `storage.store` and cache their CID, or raise ipfs_kit.cache.max_value_size')
  }
}

/** A path given to a tool (MCP) or an API call lies outside the directories that caller may name; nothing was read or written. */
export class PathNotAllowedError extends KitError {
  static override readonly name = 'PathNotAllowedError'
  override readonly name = 'PathNotAllowedError'
  override readonly code = 'ERR_PATH_NOT_ALLOWED'
  constructor (reason: string, hint = 'use a path under the allowed directories (ipfs_kit.mcp.allowed_paths, default the MCP server\'s working directory)') {
    super(reason, hint)
  }
}

/** The S3 bucket of the cold tier refused the request: bad or missing credentials, no permission, no such bucket. */
export class S3AccessDeniedError extends KitError {
  static override readonly name = 'S3AccessDeniedError'
  override readonly name = 'S3AccessDeniedError'
  override readonly code = 'ERR_COLD_ACCESS_DENIED'
  constructor (where: string, reason: string, options?: ErrorOptions) {
    super(`the cold tier's bucket refused access (${where}): ${reason}`, 'check backends.s3 (bucket, region, endpoint, access_key_id, secret_access_key) or the AWS credentials in the environment', options)
  }
}

/** The cold tier's S3 endpoint did not answer, or answered with a server error, within COLD_REQUEST_DEADLINE_MS. */
export class S3UnavailableError extends KitError {
  static override readonly name = 'S3UnavailableError'
  override readonly name = 'S3UnavailableError'
  override readonly code = 'ERR_COLD_UNAVAILABLE'
  constructor (readonly endpoint: string, reason: string, options?: ErrorOptions) {
    super(`cold tier unreachable: S3 endpoint ${endpoint}: ${reason}`, 'check that the endpoint is up and reachable; warm content is still served', options)
  }
}

/** A storage backend was asked for (`backends`, `tier --to cold`) but is not enabled in the config. */
export class BackendDisabledError extends KitError {
  static override readonly name = 'BackendDisabledError'
  override readonly name = 'BackendDisabledError'
  override readonly code = 'ERR_BACKEND_DISABLED'
  constructor (readonly backend: string) {
    super(`the ${backend} backend is not enabled`, backend === 's3' ? 'set backends.s3.enabled: true with a bucket (see README "Tiers")' : `enable backends.${backend} in the config`)
  }
}

/** Every named error class, for the catalogue test and the CLI. */
export const ERRORS = [
  OfflineError, RepoLockedError, RepoOpenError, ConfigError, InvalidCIDError, InputNotFoundError,
  InvalidInputError, NotFoundError, CorruptBlockError, TooLargeError, UnsupportedContentError,
  KitStoppedError, DaemonUnreachableError, UnsupportedHashError, RepoCorruptError, DamagedPinsError, UsageError, CommandFailedError, ControlSocketError, BadRequestError,
  InvalidModelNameError, UnsafePathError, ModelNotFoundError, ModelPullError, ManifestMismatchError, AbortError,
  UntrustedPublisherError, UnsignedManifestError, ModelYankedError, DestinationExistsError, InvalidCacheKeyError, CacheValueTooLargeError,
  PathNotAllowedError,
  S3AccessDeniedError, S3UnavailableError, BackendDisabledError,
  DatasetNotFoundError, DatasetPullError, InvalidShareError
] as const

/**
 * A block layer's not-found (interface-store's, or bitswap's) as our NotFoundError, so callers see
 * one error, message and hint wherever the block was missing; any other error is returned as is.
 */
export function asNotFound (cid: { toString(): string }, err: any): Error {
  if (err?.name !== 'NotFoundError' || err instanceof NotFoundError) return err
  return new NotFoundError(cid.toString(), { cause: err })
}

export function isKitError (err: unknown): err is KitError {
  return err instanceof KitError
}
