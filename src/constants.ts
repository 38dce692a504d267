/**
 * Every default and limit of ipfs-kit, each with the reason for its value.
 * docs/LIMITS.md lists the same values for users; a test checks that they agree.
 */

/** UnixFS chunk size of Kubo's `unixfs-v1-2025` profile (IPIP-499): 1 MiB. */
export const CHUNK_SIZE = 1024 * 1024

/** Links per UnixFS node in the balanced DAG of the `unixfs-v1-2025` profile. */
export const MAX_CHILDREN_PER_NODE = 1024

/**
 * Blocks hashed and written concurrently while importing. Writes go to the
 * libuv thread pool (4 threads by default); 8 keeps it busy while the main
 * thread hashes the next chunk, without holding more than 8 MiB in flight.
 */
export const IMPORT_WRITE_CONCURRENCY = 8

/**
 * Blocks read ahead of the consumer when streaming a file. Reads go to the
 * thread pool while the main thread verifies the previous block; 8 × 1 MiB
 * bounds the memory held per stream.
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

/** Default TCP listen addresses: every interface, an ephemeral port chosen by the OS is not used so peers can bootstrap to a known port. */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/4101']

/** Private Kademlia protocol so ipfs-kit clusters do not join (or pollute) the public Amino DHT by default. */
export const DEFAULT_DHT_PROTOCOL = '/ipfs-kit/kad/1.0.0'

/** The public IPFS DHT protocol, selectable with `node.dht_protocol`. */
export const PUBLIC_DHT_PROTOCOL = '/ipfs/kad/1.0.0'

/** Default repository size bound (seed plan: `performance.max_cache_size`). */
export const DEFAULT_MAX_CACHE_SIZE = '10GB'

/** Default interval between automatic garbage collections (seed plan: `performance.gc_interval`). */
export const DEFAULT_GC_INTERVAL = '1h'

/** Default connection pool size (seed plan: `performance.connection_pool_size`), used as libp2p's max connections per peer pool. */
export const DEFAULT_CONNECTION_POOL_SIZE = 10

/** Time a CLI command waits for a daemon's control socket to answer before reporting it unreachable. */
export const CONTROL_TIMEOUT_MS = 10_000

/** Time `retrieve`/`stream` wait for a missing block from peers before giving up (online mode). */
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000

/** Environment variables that disable the network (seed plan: `IPFS_KIT_DISABLE`), accepted values. */
export const TRUTHY_ENV_VALUES = ['1', 'true', 'yes']

/** Python-side default cache directory name under `$XDG_CACHE_HOME` or `~/.cache`. */
export const CACHE_DIR_NAME = 'ipfs_accelerate'
