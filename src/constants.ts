/**
 * Every default and limit of ipfs-kit that is not a config key, each with the
 * reason for its value (config defaults live in config/ipfs-kit.yaml).
 * docs/LIMITS.md lists the same values for users; a test checks that they agree.
 */

/** UnixFS chunk size of Kubo's `unixfs-v1-2025` profile (IPIP-499): 1 MiB. */
export const CHUNK_SIZE = 1024 * 1024

/**
 * Blocks hashed and written concurrently while importing (the importer's
 * `blockWriteConcurrency`: it takes this many chunks, hashes them, writes them
 * through the libuv thread pool and waits for all before the next batch).
 * 8 holds at most 8 MiB in flight; 4, 8 and 16 measured alike
 * (benchmarks/storage.ts), 32 only added memory.
 */
export const IMPORT_WRITE_CONCURRENCY = 8

/**
 * Blocks read ahead of the consumer when streaming a file. Reads go to the
 * thread pool while the main thread verifies the previous block; 8 × 1 MiB
 * bounds the memory held per stream. 4, 8 and 16 measured alike
 * (benchmarks/storage.ts): hashing, not reading, sets the pace.
 */
export const READ_AHEAD_BLOCKS = 8

/** Largest block accepted from disk or from a peer (bitswap's own limit is 2 MiB; 4 MiB leaves headroom). */
export const MAX_BLOCK_SIZE = 4 * 1024 * 1024

/** Largest file `retrieve()` returns as one buffer; larger files must use `stream()`. */
export const MAX_RETRIEVE_BYTES = 2 * 1024 * 1024 * 1024

/** Name of the directory (under the data directory) holding block files. */
export const BLOCKS_DIR = 'blocks'

/** Name of the directory (under the data directory) holding the LevelDB datastore. */
export const DATASTORE_DIR = 'datastore'

/** Unix socket through which CLI commands reach a daemon that holds the data directory. */
export const CONTROL_SOCKET = 'control.sock'

/** File the daemon writes with its pid, peer id and addresses, removed on clean stop. */
export const DAEMON_INFO_FILE = 'daemon.json'

/** Time a CLI command waits for a daemon's control socket to answer before reporting it unreachable. */
export const CONTROL_TIMEOUT_MS = 10_000

/** Time `retrieve`/`stream` wait for a missing block from peers before giving up (online mode). */
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000

/**
 * One attempt at a missing block; past it the want is cancelled and sent again to the peers
 * connected now (a want can be lost with a peer that went away or restarted under the same id).
 */
export const FETCH_ATTEMPT_TIMEOUT_MS = 5_000

/** Environment variables that disable the network (seed plan: `IPFS_KIT_DISABLE`), accepted values. */
export const TRUTHY_ENV_VALUES = ['1', 'true', 'yes']

/** Python-side default cache directory name under `$XDG_CACHE_HOME` or `~/.cache`. */
export const CACHE_DIR_NAME = 'ipfs_accelerate'

/**
 * Longest Unix socket path, in bytes: `sun_path` holds 108 bytes on Linux
 * (104 on macOS) including the final NUL. A data directory deeper than this
 * cannot host its control socket; the daemon says so instead of failing with EINVAL.
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103

/**
 * Time a stopping daemon gives in-flight control requests (already aborted)
 * to send their error before their connections are cut.
 */
export const CONTROL_STOP_GRACE_MS = 2_000

/** Permissions of the control socket: whoever can connect controls the node, so only its owner. */
export const CONTROL_SOCKET_MODE = 0o600

/** How long start() waits for each bootstrap peer before going on without it. */
export const BOOTSTRAP_DIAL_TIMEOUT_MS = 10_000

/** Pinned blocks read and hash-checked at once before gc removes anything. */
export const GC_VERIFY_CONCURRENCY = 8

/** How long `verify --repair` waits for each missing block from peers. */
export const REPAIR_FETCH_TIMEOUT_MS = 15_000

/** Raw leaves a DAG walk (pin, delete, verify) checks for presence at once: stat calls, cheap, so more than the thread pool. */
export const WALK_HAS_CONCURRENCY = 32

/** Shortest digest accepted in a CID: 160 bits, below which collisions are within reach. */
export const MIN_DIGEST_BYTES = 20

/** Longest digest accepted in a CID, and the largest identity CID payload: larger is no stronger, only costlier to carry. */
export const MAX_DIGEST_BYTES = 128

/** libp2p protocol through which a provider tells which manifest it holds for a model name, and lists its models. */
export const MODELS_PROTOCOL = '/ipfs-kit/models/1.0.0'

/** Gossipsub topic on which nodes announce the models they hold. */
export const MODELS_TOPIC = 'ipfs-kit/models/1'

/** Largest request or response on the models protocol: a model list of thousands of entries fits. */
export const MODELS_MAX_MESSAGE_BYTES = 1024 * 1024

/** How long a models-protocol request may take before the peer is skipped. */
export const MODELS_REQUEST_TIMEOUT_MS = 5_000

/** How often a node repeats its gossip announcements, so that entries stay fresh in other nodes' indexes. */
export const MODELS_ANNOUNCE_INTERVAL_MS = 60_000

/** How long a gossip-learned provider entry lives without being heard again (three missed announcements). */
export const MODELS_ANNOUNCE_TTL_MS = 180_000

/** How long `models.findProviders` (and a pull's provider search) waits for the DHT. */
export const MODEL_FIND_TIMEOUT_MS = 10_000

/** Per-block wait of a pull for its providers before a file is reported incomplete. */
export const MODEL_PULL_BLOCK_TIMEOUT_MS = 30_000

/** Files of a model fetched at once by a pull (each also reads ahead READ_AHEAD_BLOCKS blocks). */
export const MODEL_PULL_FILE_CONCURRENCY = 4

/**
 * DHT walks per model search when a walk names no provider: a fresh node walks from little more
 * than its bootstrap peer and, in a small cluster, one path can end among departed peers; the second
 * walk starts from everything the first met (benchmarks/discovery.ts). An unknown name costs this many.
 */
export const MODEL_DHT_WALKS = 2

/** Largest block `block/put` accepts over the RPC API: Kubo's 1 MiB soft block limit, which our 1 MiB leaves fit. */
export const RPC_MAX_BLOCK_BYTES = 1024 * 1024

/** An RPC connection with no bytes in either direction for this long is closed; large transfers are not cut off. */
export const RPC_IDLE_TIMEOUT_MS = 120_000

/** Time a client has to send its request headers (slowloris guard). */
export const RPC_HEADERS_TIMEOUT_MS = 30_000

/** Default bound of `routing/findprovs` (Kubo's `--num-providers` default). */
export const RPC_FINDPROVS_DEFAULT = 20

/** RPC requests served at once; past it the API answers 429 rather than queue file handles and streams without bound. */
export const RPC_MAX_CONCURRENT_REQUESTS = 64

/**
 * Largest UnixFS directory node (encoded block bytes) built without HAMT sharding: Kubo's
 * `HAMTShardingSize` under the unixfs-v1-2025 profile, which counts the real block size
 * (ipfs-unixfs-importer's `shardSplitStrategy: 'block-bytes'`). A directory past it would be a
 * HAMT shard in Kubo; we refuse it (DirectoryTooLargeError) rather than give another CID.
 */
export const DIRECTORY_SHARD_THRESHOLD_BYTES = 256 * 1024

/** Default trustless gateway address of `ipfs-kit daemon` (Kubo's `Addresses.Gateway`); loopback only. */
export const GATEWAY_DEFAULT_ADDRESS = '127.0.0.1:8080'

/** How long the gateway waits for one block from peers before answering 504 (Kubo's gateway answers 504 on a retrieval timeout). */
export const GATEWAY_FETCH_TIMEOUT_MS = 30_000

/** Gateway requests served at once; past it the gateway answers 429, as the RPC API does. */
export const GATEWAY_MAX_CONCURRENT_REQUESTS = 128

/** `Cache-Control: max-age` of immutable `/ipfs/` responses: one year (29030400 s), as Kubo sends. */
export const GATEWAY_MAX_AGE_SECONDS = 29_030_400

/** Longest `/ipfs/…` request path the gateway reads; longer ones get 414, before any block is read. */
export const GATEWAY_MAX_PATH_BYTES = 4096
