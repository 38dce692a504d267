/**
 * Every default and limit of ipfs-kit that is not a config key, each with the
 * reason for its value (config defaults live in config/ipfs-kit.yaml).
 * docs/LIMITS.md lists the same values for users; a test checks that they agree.
 */

/** UnixFS chunk size of Kubo's `unixfs-v1-2025` profile (IPIP-499): 1 MiB. */
export const CHUNK_SIZE = 1024 * 1024

/**
 * Block writes in flight while importing (src/unixfs/importer.ts: a chunk's
 * write starts before it is hashed and the next chunk is taken while it runs;
 * no barrier between batches). 8 holds at most 8 MiB in flight; 1 was ~20 %
 * slower at 1 GiB, 2 ~15 %, 4 5–10 %; 16 measured like 8, 32 only added memory.
 */
export const IMPORT_WRITE_CONCURRENCY = 8

/**
 * Block files are written in pieces of at most this many bytes. On Linux a
 * 1 MiB write() into a new file cost 2.1 s of system time per GiB here against
 * 1.1–1.4 s in 512 KiB pieces (probably because the page cache then takes
 * smaller folios; benchmarks/storage.ts, and DESIGN.md "Blocks on disk").
 */
export const WRITE_PIECE_BYTES = 512 * 1024

/**
 * Access times of reads (for least-recently-used eviction) are kept in memory
 * and written at most this often, in one LevelDB batch, and at `kit.stop()`.
 * A crash loses at most this much of them; eviction's order sees them at once.
 */
export const ACCESS_TIME_FLUSH_MS = 1_000

/**
 * libp2p's peer records (one per peer it has met) kept in memory, least
 * recently used dropped first; changed records are written behind, one
 * LevelDB batch at most every PEER_RECORD_FLUSH_MS and at stop (a crash loses
 * at most that much of them: addresses and protocols the next connection tells
 * again). libp2p read and rewrote a record on every stream, identify and DHT
 * answer (src/node/peer-record-cache.ts). 4096 records are ~1–2 MB.
 */
export const PEER_RECORD_CACHE_RECORDS = 4096
export const PEER_RECORD_FLUSH_MS = 1_000

/**
 * A peer libp2p's peer store returned answers reads of that peer, and merges
 * that add no protocol, for this long (src/node/peer-store-cache.ts; at most
 * PEER_STORE_CACHE_PEERS peers). libp2p read each record per stream and
 * per DHT answer: decoding it and its addresses cost a fifth of an idle node's
 * CPU in a 25-node mesh. A read may be this stale for a change made behind the
 * store's back (none is, in libp2p or the kit).
 */
export const PEER_STORE_CACHE_MS = 10_000

/** Most decoded peers PEER_STORE_CACHE_MS keeps (least recently used dropped first); a decoded peer with its multiaddr objects is a few KB. */
export const PEER_STORE_CACHE_PEERS = 1024

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

/**
 * Mode of the data directory and its datastore directory, set whatever the umask: they hold the
 * node's identity key and the control socket, so other users must not even list them.
 */
export const PRIVATE_DIR_MODE = 0o700

/** Mode of files that hold secrets (LevelDB's files, with the identity key): owner read/write only. */
export const PRIVATE_FILE_MODE = 0o600

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

/** Provider-index entries kept per peer (its own models × revisions); more from one peer are ignored: a flooding peer fills its own share only. */
export const MODELS_INDEX_MAX_PER_PEER = 256

/**
 * Providers of one name (all revisions) a provider index keeps; a new one pushes out the one heard
 * longest ago. A fleet where hundreds of nodes hold the same model then costs each node this many
 * entries per name, not one per holder (benchmarks/discovery-scale.ts); the rest are found by asking.
 */
export const MODELS_INDEX_MAX_PER_NAME = 16

/**
 * Announce suppression: a node leaves a name@revision out of its periodic announcement when it heard
 * at least this many other providers of it within the last announce interval, so gossip per node
 * grows with the number of models, not with nodes × models. A name just published or pulled is
 * always announced once.
 */
export const MODELS_ANNOUNCE_REDUNDANCY = 4

/**
 * Each announce interval is drawn from MODELS_ANNOUNCE_INTERVAL_MS × (1 ± this / 2), so that nodes
 * started together drift apart and hear each other's announcements before their own (which
 * suppression needs). At most 1.25 intervals between announcements, well inside the TTL.
 */
export const MODELS_ANNOUNCE_JITTER = 0.5

/**
 * A node announces its models when a peer subscribes to the names topic, at most once per this
 * long: joins within the window share one announcement (a fleet starting together would otherwise
 * cost every node one broadcast per joining peer).
 */
export const MODELS_JOIN_ANNOUNCE_MIN_MS = 1_000

/** The announcement for a join waits a random delay of up to this, so joins close together share it. */
export const MODELS_JOIN_ANNOUNCE_DELAY_MS = 200

/**
 * Providers of one name, besides itself, a node names in an `index` answer (the most recently heard):
 * the asker keeps only what a peer says of itself and follows a few of the others as hints.
 */
export const MODELS_INDEX_ANSWER_PER_NAME = 2

/** Provider-index entries kept in all (a few MB at most); the entry heard longest ago goes first. */
export const MODELS_INDEX_MAX_ENTRIES = 8192

/** Addresses kept per provider entry from gossip or an `index` answer (each at most 256 characters). */
export const MODELS_MAX_ADDRESSES = 8

/** Other peers named in one `index` answer that are dialled to ask them themselves (hints, never stored as bindings). */
export const MODELS_MAX_REFERRALS = 8

/** Referral dials in flight at once, for all answers together; referrals past it are dropped. */
export const MODELS_REFERRAL_DIAL_CONCURRENCY = 4

/** How long `models.findProviders` (and a pull's provider search) waits for the DHT. */
export const MODEL_FIND_TIMEOUT_MS = 10_000

/** Per-block wait of a pull for its providers before a file is reported incomplete. */
export const MODEL_PULL_BLOCK_TIMEOUT_MS = 30_000

/** The data directory's publisher key file (Ed25519, mode 0600; src/trust/publisher-key.ts). */
export const PUBLISHER_KEY_FILE = 'publisher.key'

/**
 * How long a pull waits for the manifest a candidate provider names before trying the next
 * candidate: a provider that announces a root it cannot serve must not hold the pull up for the
 * per-block timeout.
 */
export const MODEL_MANIFEST_TIMEOUT_MS = 5_000

/**
 * After the first trusted, verified manifest is found, how long a pull keeps listening for others
 * (a newer signed revision, a second publisher for an org with no trust record yet) before it
 * chooses. Gossip-learned and connected providers answer well within it.
 */
export const MODEL_CANDIDATE_SETTLE_MS = 500

/** Candidate manifests a pull or `findProviders` fetches and verifies at once. */
export const MODEL_MANIFEST_CONCURRENCY = 4

/** Distinct manifest roots a pull or `findProviders` considers for one name (what more peers name is ignored). */
export const MODEL_MAX_CANDIDATES = 32

/** Files of a model fetched at once by a pull (each also reads ahead READ_AHEAD_BLOCKS blocks). */
export const MODEL_PULL_FILE_CONCURRENCY = 4

/**
 * Most files a pull fetches at once when its files are small (a dataset's shards): it fetches enough
 * of them at once to keep about TRANSFER_PREFETCH_WANTS leaves wanted, up to this many.
 */
export const MODEL_PULL_MAX_FILE_CONCURRENCY = 16

/**
 * DHT walks per model search when a walk names no provider: a fresh node walks from little more
 * than its bootstrap peer and, in a small cluster, one path can end among departed peers; the second
 * walk starts from everything the first met (benchmarks/discovery.ts). An unknown name costs this many.
 */
export const MODEL_DHT_WALKS = 2

/** libp2p protocol through which a provider tells which manifest it holds for a dataset name (the models protocol's code, its own id). */
export const DATASETS_PROTOCOL = '/ipfs-kit/datasets/1.0.0'

/** Gossipsub topic on which nodes announce the datasets they hold (whole or in part). */
export const DATASETS_TOPIC = 'ipfs-kit/datasets/1'

/** Gossipsub topic prefix of an elastic dataset group: members announce themselves on `<prefix><group>`. */
export const DATASETS_GROUP_TOPIC_PREFIX = 'ipfs-kit/datasets/group/1/'

/** How often a group member repeats its presence on the group topic. */
export const DATASETS_MEMBER_INTERVAL_MS = 2_000

/** Config `datasets.member_grace`: a group member not heard for this long is gone; the others take over its unfinished shards. */
export const DATASETS_MEMBER_GRACE_MS = 15_000

/** Members of one group a node keeps (more are ignored): bounds what a flooding peer can add. */
export const DATASETS_MAX_MEMBERS = 1024

/** Config `datasets.prefetch`: shards `stream` fetches ahead of the one being consumed. */
export const DATASETS_PREFETCH = 2

/** Config `datasets.max_bytes`: bytes of shards `stream` keeps pinned locally; consumed shards are unpinned first beyond it. 0: no limit. */
export const DATASETS_MAX_BYTES = 0

/** Largest share of a rank, as a multiple of the mean share, that `plan` aims for (met whenever no shard exceeds a quarter of the mean). */
export const DATASETS_BALANCE = 1.25

/** Load a plan member may reach before its most loosely attached shards spill to their next preferred member, as a multiple of the mean share (below DATASETS_BALANCE). */
export const DATASETS_PLAN_LOAD_CAP = 1.2

/** Largest record (line) `stream` yields from a line-based shard; a longer line fails the stream. */
export const DATASETS_MAX_RECORD_BYTES = 64 * 1024 * 1024

/** Smallest `shardSize` publish accepts (a smaller one would make one shard per few lines). */
export const DATASETS_MIN_SHARD_SIZE = 4096

/** Largest block `block/put` accepts over the RPC API: Kubo's 1 MiB soft block limit, which our 1 MiB leaves fit. */
export const RPC_MAX_BLOCK_BYTES = 1024 * 1024

/** An RPC connection with no bytes in either direction for this long is closed; large transfers are not cut off. */
export const RPC_IDLE_TIMEOUT_MS = 120_000

/** Time a client has to send its request headers (slowloris guard). */
export const RPC_HEADERS_TIMEOUT_MS = 30_000

/** Default bound of `routing/findprovs` (Kubo's `--num-providers` default). */
export const RPC_FINDPROVS_DEFAULT = 20

/** RPC requests served at once (as many as the gateway; a load test with 100 connections fits); past it the API answers 429 rather than queue file handles and streams without bound. */
export const RPC_MAX_CONCURRENT_REQUESTS = 128

/**
 * Our block transfer protocol: a batch of CIDs asked, their blocks streamed back in order, and (new
 * in 1.1.0) have-announcements pushed to the peers of a session (src/transfer/wire.ts).
 */
export const TRANSFER_PROTOCOL = '/ipfs-kit/transfer/1.1.0'

/** The first version of the transfer protocol (requests and answers only, no have-announcements): still served and spoken. */
export const TRANSFER_PROTOCOL_1_0 = '/ipfs-kit/transfer/1.0.0'

/** Transfer protocol versions a node speaks by default, newest first (config `transfer.versions`). */
export const TRANSFER_VERSIONS = ['1.1.0', '1.0.0'] as const

/** Most CIDs in one have-announcement frame (a bigger batch is split). */
export const TRANSFER_HAVE_BATCH = 256

/** A puller gathers the blocks that arrived this long before announcing them to its session's peers in one frame. */
export const TRANSFER_HAVE_FLUSH_MS = 100

/** Announcements queued for one peer and not yet sent; past it the oldest are dropped (a have is a hint). */
export const TRANSFER_HAVE_QUEUE = 4 * 256

/** Peers one session announces its blocks to (its providers, in the order it met them). */
export const TRANSFER_HAVE_FANOUT = 64

/** A have stream with nothing to send this long is closed by its sender (it is reopened on the next block); its receiver waits twice this. */
export const TRANSFER_HAVE_IDLE_MS = 15_000

/** Have streams one peer may hold open to us at once; another is reset. */
export const TRANSFER_HAVE_STREAMS_PER_PEER = 2

/** Blocks remembered as announced by one peer (its oldest announcements forgotten first). */
export const TRANSFER_HAVE_PER_PEER = 65_536

/** Announced blocks remembered for all peers together (about 100 bytes each): the peer holding the most loses its oldest first. */
export const TRANSFER_HAVE_TRACKED = 262_144

/** Peers whose announcements are remembered (and peers a node's announcer keeps queues for); the least recently heard is forgotten first. */
export const TRANSFER_HAVE_PEERS = 256

/** A peer that announced within this long is still fetching: it is asked only for blocks it announced. */
export const TRANSFER_HAVE_FRESH_MS = 10_000

/** Most CIDs one transfer request may name; the server refuses a longer request. */
export const TRANSFER_MAX_BLOCKS_PER_REQUEST = 64

/** CIDs a requester puts in one request: small enough that a slow provider's share is quickly handed to another, big enough to amortise the stream set-up. */
export const TRANSFER_BATCH_BLOCKS = 4

/** Requests a requester keeps in flight to one provider (so a provider always has the next batch queued). */
export const TRANSFER_REQUESTS_PER_PROVIDER = 4

/** Transfer requests the server serves at once for one peer; one more is answered BUSY. */
export const TRANSFER_MAX_STREAMS_PER_PEER = 8

/** Transfer requests the server serves at once for all peers together; one more is answered BUSY. */
export const TRANSFER_MAX_STREAMS_TOTAL = 64

/** Requests a transfer server answers at once when it starts (config `transfer.upload_slots: auto`); then paced by its uplink (slot-pacer.ts). */
export const TRANSFER_SERVE_INITIAL_SLOTS = 2

/** Fewest requests the uplink pacer allows at once (plus the optimistic slot: a peer served nothing may always take one more). */
export const TRANSFER_SERVE_MIN_SLOTS = 1

/**
 * Send time per MiB the uplink pacer aims at: it adds a slot for a block sent in under half of
 * it and cuts a third when even the fastest recent block took longer. 2 s per MiB answers a
 * 4-block request in about 8 s, well inside TRANSFER_SEND_TIMEOUT_MS, on any uplink that sends
 * 1 MiB in under 2 s on its own (4.2 Mbit/s).
 */
export const TRANSFER_SERVE_TARGET_MS_PER_MIB = 2_000

/** Recent blocks whose fastest send time decides a cut (a single slow reader does not). */
export const TRANSFER_SERVE_SAMPLES = 4

/** A block whose receiver took none of it for longer than this many times the pacer's target (or the fastest recent block's time, if slower) marks its stream stalled: a peer served nothing may take its slot. Counted from the last progress (a window update), not the block's start: on a slow uplink every send is slow, not stalled. */
export const TRANSFER_SERVE_STALLED_FACTOR = 4

/** Slots beyond the paced limit a peer served nothing may take (BitTorrent's optimistic unchoke): a server whose slots are all held by slow readers still meets a fast one, whose blocks raise the limit. */
export const TRANSFER_SERVE_OPTIMISTIC_SLOTS = 1

/** Requests a node's transfer sessions start with in flight, all providers together; then paced by its downlink (downlink.ts). */
export const TRANSFER_FETCH_INITIAL_REQUESTS = 4

/**
 * Fewest requests the downlink pacer allows in flight: two, so that one answer coming slowly (its
 * provider's uplink shared with others) never leaves the downlink to it alone. At one, the last
 * workers of a 12-worker run at 5 Mbit/s waited out their final blocks one slow request at a time
 * while most uplinks sat idle (bench:fanout 57.8–62.7 s, uplinks 30–49 % used in the last quarter;
 * at two 55.8–59.7 s, 50–59 %; 24 × 8 MiB @ 2 Mbit/s 119 → 110 s).
 */
export const TRANSFER_FETCH_MIN_REQUESTS = 2

/** Most requests a node has in flight at once, whatever the pacer says (each asks up to TRANSFER_BATCH_BLOCKS blocks). */
export const TRANSFER_FETCH_MAX_REQUESTS = 64

/**
 * Time per MiB a request's answer may take before the downlink pacer cuts requests in flight (the
 * rule of TRANSFER_SERVE_TARGET_MS_PER_MIB). Twice the server's: a request's time also carries its
 * provider's uplink, shared with the provider's other requesters, and answers at 2 s per MiB from
 * 8 providers on 50 Mbit/s still left a worker's downlink half used (bench:fanout 2.05×, 1.55 cores).
 */
export const TRANSFER_FETCH_TARGET_MS_PER_MIB = 4_000

/** Recent requests whose fastest decides a cut of the downlink pacer (one slow provider does not). */
export const TRANSFER_FETCH_SAMPLES = 4

/** Time a peer has to send its transfer request after opening the stream. */
export const TRANSFER_REQUEST_TIMEOUT_MS = 10_000

/**
 * Time the server gives a requester to read the whole answer to one request
 * (a per-request deadline, from the request read to the last block taken);
 * then the request is dropped and the requester asks again for the rest.
 * Requesters ask TRANSFER_BATCH_BLOCKS (4 MiB) at a time: 4 MiB in 30 s needs
 * 1.1 Mbit/s; a peer asking 64 MiB and reading a trickle is cut after 30 s.
 */
export const TRANSFER_SEND_TIMEOUT_MS = 30_000

/** Longest a transfer stream is served, from its opening: a requester that reads so slowly it is not done by then is cut (it asks again for the rest), so slow readers cannot hold slots for hours. 64 MiB (the largest request) in 60 s needs 9 Mbit/s; requesters ask 4 blocks at a time. */
export const TRANSFER_STREAM_MAX_MS = 60_000

/**
 * BUSY answers one peer may get within TRANSFER_BUSY_WINDOW_MS before it is
 * throttled. A requester backs off on BUSY (TRANSFER_BUSY_BACKOFF_MS doubling
 * up to TRANSFER_BUSY_BACKOFF_MAX_MS), so an honest one gets about ten in a
 * window; a peer that reopens every refused stream at once gets hundreds a
 * second, and that storm of stream opens starved the server's event loop.
 */
export const TRANSFER_BUSY_LIMIT = 50

/** The window in which BUSY answers to one peer are counted. */
export const TRANSFER_BUSY_WINDOW_MS = 10_000

/**
 * How long a throttled peer is refused: its connection is closed at once and
 * any transfer stream it opens is reset without being read. Reconnecting is
 * then bounded by libp2p's inbound connection rate per host.
 */
export const TRANSFER_THROTTLE_MS = 30_000

/** Peers the BUSY counter remembers; the least recently refused is forgotten first (a few hundred KB at most). */
export const TRANSFER_THROTTLE_TRACKED = 4096

/** A requester answered BUSY waits this long before asking that provider again, doubling each BUSY in a row. */
export const TRANSFER_BUSY_BACKOFF_MS = 100

/** Longest a requester waits after a BUSY answer. */
export const TRANSFER_BUSY_BACKOFF_MAX_MS = 2_000

/**
 * Time a requester waits without receiving any bytes of a request's answer;
 * a provider stalled this long is dropped from the session and its share
 * re-queued. A provider that keeps sending is waited for, however slow: a
 * 1 MiB block from a seed serving 8 pullers over 50 Mbit/s can take longer.
 */
export const TRANSFER_BLOCK_TIMEOUT_MS = 10_000

/**
 * Longest a transfer session counts as still landing blocks after its last one landed (its wants
 * are then late, not missing, and are not failed at their deadline): a quarter of the per-block
 * wait, at least TRANSFER_BLOCK_TIMEOUT_MS and at most this. 24 workers sharing 5 Mbit/s links
 * landed blocks more than 10 s apart while bytes flowed all along, and every pull failed.
 */
export const TRANSFER_LANDING_WINDOW_MS = 30_000

/** A block in flight at one provider this long may also be asked of an idle provider (end-game: a slow provider's share is taken over). */
export const TRANSFER_STEAL_AFTER_MS = 1_500

/**
 * A block in flight at a provider is also asked of another (end-game) only
 * after this many times that provider's usual answer time (when longer than
 * TRANSFER_STEAL_AFTER_MS). On 50 Mbit/s links shared by 8 pullers every
 * request takes seconds; with the fixed 1.5 s each puller raced the seed for
 * a third of its blocks, and the seed uploaded the model 2.4 times.
 */
export const TRANSFER_STEAL_SLOWER = 3

/** A provider dropped for failing (not for lying) is tried again after this long. */
export const TRANSFER_RETRY_DROPPED_MS = 30_000

/** Leaf blocks a stream reads ahead when blocks come from peers (bytes in flight per file: this × the leaf size). */
export const NETWORK_READ_AHEAD_BLOCKS = 24

/** Unread bytes at which a transfer requester pauses a provider's stream (resumed under half of it). */
export const TRANSFER_READ_HIGH_WATER = 4 * 1024 * 1024

/**
 * Largest yamux receive window per stream: yamux's initial window, never grown (yamux's default
 * grows it to 16 MiB). The window is the only sign a sender gets that bytes reached the receiver
 * (Node shows nothing of the kernel's send queue): with 4 MiB, a 1 MiB block was handed over in
 * 0–100 ms on a 5 Mbit/s uplink and the transfer server's upload pacer, timing those sends, ran
 * 14 transfers at once there (bench:fanout 12 × 16 MiB @ 5 Mbit/s: 83–106 s, 62.8 s with this).
 * It caps one stream at this window per round trip (about 40 Mbit/s at 50 ms); a transfer keeps
 * several requests in flight per provider. A paused stream also receives at most this much more
 * into libp2p's read buffer (reset past YAMUX_MAX_READ_BUFFER).
 */
export const YAMUX_MAX_STREAM_WINDOW = 256 * 1024

/** Bytes libp2p buffers for a paused stream before resetting it (libp2p's default is 4 MiB). */
export const YAMUX_MAX_READ_BUFFER = 8 * 1024 * 1024

/** Requests a transfer requester starts with in flight to a new provider (its window then adapts, up to TRANSFER_REQUESTS_PER_PROVIDER). */
export const TRANSFER_INITIAL_WINDOW = 2

/** A request answered this fast widens its provider's window by one. */
export const TRANSFER_WINDOW_FAST_MS = 1_000

/** A request this slow narrows its provider's window by one (down to one request). */
export const TRANSFER_WINDOW_SLOW_MS = 3_000

/** A provider that said it lacks a block is asked for it again after this long (a peer that is itself fetching may have it by then). */
export const TRANSFER_LACK_RETRY_MS = 2_000

/**
 * Blocks of one file a pull keeps wanted at once while it fetches the file's leaves in random order
 * (so pullers of the same model hold different pieces to trade). The session chooses among them per
 * provider (rarest first among those the provider announced), so the pool is wide: 128 MiB of 1 MiB
 * leaves; wants hold no bytes until they land.
 */
export const TRANSFER_PREFETCH_WANTS = 128

/**
 * Upper bounds (seconds) of the latency histograms: a 1 ms local read to a 2 min network pin or
 * gc, roughly ×5 apart so that a handful of buckets covers both.
 */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 30, 120]

/** How long one repo scan (blocks, bytes, pins: O(blocks)) serves the metrics gauges, so that close scrapes share it. */
export const METRICS_SNAPSHOT_TTL_MS = 1_000

/**
 * Largest request body of an RPC call other than an upload (`add`, `dag/import`), checked on its
 * Content-Length before reading (413): a 1 MiB `block/put` with its multipart framing fits.
 */
export const RPC_MAX_BODY_BYTES = 2 * 1024 * 1024

/**
 * How long a network-bound RPC call (cat, block/get|stat, pin/add, routing/findprovs, model
 * providers, …) may take to produce its first byte before it is cut with 504; Kubo's `timeout`
 * query option lowers it per call. Longer than DEFAULT_FETCH_TIMEOUT_MS, so a block nobody has is a
 * NotFound (500) first; a response already streaming is never cut.
 */
export const RPC_NETWORK_TIMEOUT_MS = 90_000

/** Shortest `api.auth_token` accepted: 16 characters from a password generator are beyond guessing over HTTP. */
export const MIN_AUTH_TOKEN_LENGTH = 16

/** How often the status page (`/`) polls `/status`. */
export const STATUS_PAGE_POLL_MS = 1_000

/** A want waits this long for a peer that is itself fetching before it may go to a seed (a provider that never lacked a block) anyway. */
export const TRANSFER_SEED_AFTER_MS = 2_000

/**
 * Largest UnixFS directory node (encoded block bytes) built without HAMT sharding: Kubo's
 * `Import.UnixFSHAMTDirectorySizeThreshold` under the unixfs-v1-2025 profile, which counts the
 * real block size (`UnixFSHAMTDirectorySizeEstimation: block`; ipfs-unixfs-importer's
 * `shardSplitStrategy: 'block-bytes'`). A directory whose node would pass it (strictly more) is
 * written as a HAMT shard instead, so that its CID is the one Kubo gives it.
 */
export const DIRECTORY_SHARD_THRESHOLD_BYTES = 256 * 1024

/**
 * Width of each HAMT shard node we write: Kubo's `Import.UnixFSHAMTDirectoryMaxFanout` under the
 * unixfs-v1-2025 profile (8 bits of the name's hash per level). Shards of other power-of-two widths
 * (8 to 1024) made elsewhere are read too.
 */
export const HAMT_FANOUT = 256

/** Narrowest HAMT shard read or written: go-unixfs needs a power of two and whole bytes of slot bitfield. */
export const HAMT_MIN_FANOUT = 8

/** Widest HAMT shard read or written: boxo refuses wider ones (a shard node that wide is a denial of service, not a directory). */
export const HAMT_MAX_FANOUT = 1024

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

/** A block sent to one peer this recently is first answered ELSEWHERE (that peer's id) when another peer asks for it (super-seeding; src/transfer/super-seed.ts). */
export const TRANSFER_SUPERSEED_MS = 10_000

/** Blocks (and asker/block pairs) the super-seeding memory tracks, oldest dropped first. */
export const TRANSFER_SUPERSEED_TRACKED = 65_536

/** Ping streams at once per connection, each way (libp2p's default of one fails when kad-dht and the connection monitor ping the same peer together). */
export const PING_MAX_STREAMS = 4

/**
 * How long the transfer server waits for a block this node is receiving at
 * that moment before answering MISSING. The wait holds up the blocks behind
 * it in the same answer; bench:fanout (8 pullers, 50 Mbit/s links): 15 s →
 * 4.73× the single-link time, 5 s → 2.7×, 2 s → 2.27×, 1 s → 1.87×,
 * 0.5 s → 1.91×.
 */
export const TRANSFER_IN_FLIGHT_WAIT_MS = 1_000

/**
 * V8's old-generation growing factor (percent over the live heap) that a kit
 * sets for its process unless the process was started with its own
 * `--heap-growing-percent`. Moving a GiB allocates a GiB of block buffers;
 * with V8's default factor every ~10 MB of them started a full mark-compact
 * (about 120 per GiB, 1.3 s of main-thread pauses and 4 s of GC-thread CPU on
 * the receiver); at 300 there are under 50. Live memory is unchanged: block
 * buffers are freed at each collection either way (benchmarks/transfer.ts).
 */
export const HEAP_GROWING_PERCENT = 300

/**
 * Node flags `ipfs-kit daemon` runs with (bin/ipfs-kit.js re-executes itself
 * with them when they are missing; the test cluster's peer processes get the
 * same). V8 sizes the young generation from the machine's memory: on 24 GiB
 * its semi-spaces grow to 64 MB, RSS that a node moving 1 MiB blocks (off the
 * JS heap) gains nothing from: a 4 GiB pull peaked at 325 MB of RSS with
 * V8's sizing, 305 MB with 16 MB and 288 MB with 8 MB, at the same speed
 * (benchmarks/transfer.ts). Library users can set it through NODE_OPTIONS.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8']

/** The inference cache's request/response protocol (src/cache/protocol.ts). A later version registers beside it; askers list the newest first, so a rolling upgrade keeps working. */
export const CACHE_PROTOCOL = '/ipfs-kit/cache/1.0.0'

/** Longest cache key in UTF-8 bytes (keys are hashed before they travel; a longer key is almost always a value passed by mistake). */
export const CACHE_MAX_KEY_BYTES = 1024

/** Largest cache-protocol request or answer: a digest in, one signed entry (about 400 bytes) out. */
export const CACHE_MAX_MESSAGE_BYTES = 4096

/** Cache-protocol streams one peer may have open to us at once; more are refused by libp2p. */
export const CACHE_MAX_INBOUND_STREAMS = 8

/** Cache-protocol requests answered per peer per second; past it the peer is told `busy` (a miss for it). */
export const CACHE_MAX_REQUESTS_PER_PEER_PER_SECOND = 500

/** Largest cache value body the daemon's control socket reads for `cache put` (the cache then applies `cache.max_value_size`). */
export const CONTROL_MAX_CACHE_VALUE_BYTES = 1024 * 1024 * 1024

/** Peers asked at once on a local miss (all connected peers that speak the protocol, up to this many). */
export const CACHE_MAX_PEERS_ASKED = 16

/** Largest JSON body `ipfs-kit/cache/key` reads (a whole prompt with its parameters; the key is a hash of it). */
export const CACHE_MAX_KEY_REQUEST_BYTES = 8 * 1024 * 1024

/** Gossipsub topic on which nodes announce the key digests of cache entries they hold (src/cache/digest-gossip.ts). */
export const CACHE_TOPIC = 'ipfs-kit/cache/digests/1'

/** New entries' digests are batched this long before one gossip message carries them. */
export const CACHE_GOSSIP_DELAY_MS = 50

/** Digests in one gossip message (a larger batch goes in several); a received message's extra digests are not read. */
export const CACHE_GOSSIP_MAX_DIGESTS = 256

/** Largest gossip message of digests read (256 digests with their expiry take about 22 KiB). */
export const CACHE_GOSSIP_MAX_MESSAGE_BYTES = 32 * 1024

/** Digests this node keeps hints for (which peers announced them); past it the oldest hints of the peer with most go. */
export const CACHE_HINTS_MAX = 100_000

/** Hints kept per announcing peer; past it that peer's oldest go, so one peer cannot push out the others'. */
export const CACHE_HINTS_MAX_PER_PEER = 20_000

/** A hint lives until its entry expires, and at most this long (an entry deleted early costs one wasted ask). */
export const CACHE_HINT_MAX_AGE_MS = 60 * 60 * 1000

/** Largest value a peer sends inside its answer (a one-block value: a raw CID, hashed on arrival); larger values are fetched by CID. */
export const CACHE_INLINE_MAX_BYTES = 1024 * 1024

/** Bytes of inline values answered per peer per second; past it the answer carries the entry only (the value then comes through the transfer engine's fair share). */
export const CACHE_INLINE_BYTES_PER_PEER_PER_SECOND = 64 * 1024 * 1024
/** Progress lines the daemon queues for a slow control client before it drops events (the result line is never dropped). */
export const CONTROL_PROGRESS_QUEUE_BYTES = 64 * 1024

/** Longest progress or result line on the control channel (a model's file list fits many times). */
export const CONTROL_MAX_PROGRESS_LINE_BYTES = 16 * 1024 * 1024

/** Default of config `mcp.max_output_bytes`: bytes an MCP tool puts in one answer (`ipfs_cat`, `cache_get`); an agent reads on by offset. */
export const MCP_MAX_OUTPUT_BYTES = 1024 * 1024

/** Least time between two progress notifications of one MCP tool call (the last one, at 100 %, always goes). */
export const MCP_PROGRESS_INTERVAL_MS = 250

/** Largest JSON-RPC body `/mcp` reads (an `ipfs_add` with `content_base64` of about 6 MiB); larger is 413. */
export const MCP_MAX_REQUEST_BYTES = 8 * 1024 * 1024

/** MCP sessions `/mcp` keeps at once; the least recently used one is closed for a new one. */
export const MCP_MAX_SESSIONS = 64

/** An `/mcp` session unused this long is closed (its client starts a new one). */
export const MCP_SESSION_IDLE_MS = 30 * 60_000
/**
 * Share of the hot tier's budget (`performance.memory_cache_size`) that blocks read once may
 * fill (2Q's `A1in`, src/blocks/hot-cache.ts). The 2Q paper's 25 %: blocks read twice keep the
 * other 75 %. A read longer than this share (a large file streamed) is a scan: its blocks are
 * not held at all, only their keys remembered (a second read soon after admits them protected).
 */
export const HOT_PROBATION_SHARE = 0.25

/**
 * Longest wait for an answer to one S3 request, the SDK's retries included: past it a cold read
 * fails with S3UnavailableError naming the endpoint (warm content is served meanwhile). A pack
 * upload has no overall deadline; it fails after COLD_SOCKET_TIMEOUT_MS without progress.
 */
export const COLD_REQUEST_DEADLINE_MS = 10_000

/** Longest wait for a TCP connection to the S3 endpoint (one attempt). */
export const COLD_CONNECT_TIMEOUT_MS = 3_000

/** Largest answer head (status line and headers) a cold read's ranged GET reads itself (src/blocks/s3-direct-get.ts); a longer one is read through the SDK. */
export const COLD_GET_HEAD_BYTES = 16 * 1024

/** Blocks such a GET holds complete before its reader takes them; past it the socket pauses (TCP holds the rest on the server). */
export const COLD_GET_QUEUED_BLOCKS = 2

/**
 * Buffers of CHUNK_SIZE a file stored straight to the cold tier is read into, reused (src/storage/file-chunks.ts):
 * one the importer hashes, one read ahead, the rest held until the pack spool has their block. A fresh buffer per
 * chunk was garbage V8 collects only every ~64 MB, which the allocator then kept (bench:tiers' peak RSS was over 300 MB).
 * The pack spool writes one block at a time, so a few waiting for it keep the pipeline full.
 */
export const COLD_IMPORT_READ_BUFFERS = 6

/**
 * A pack upload on a plain-HTTP endpoint reads its spool into this many reused buffers of
 * COLD_PUT_BUFFER_BYTES, each read again once the socket has taken it (src/blocks/s3-direct-put.ts):
 * 1 MiB in flight, where the SDK's streamed body was a fresh buffer per read (garbage, see above).
 */
export const COLD_PUT_BUFFERS = 4
export const COLD_PUT_BUFFER_BYTES = 256 * 1024

/**
 * Longest silence on an S3 connection while a body streams (a GET's answer, or a pack upload that
 * the connection takes no byte of), before the attempt is abandoned.
 */
export const COLD_SOCKET_TIMEOUT_MS = 30_000

/**
 * Largest ranged GET of a sequential cold read (from the start of an upload, or continuing the last
 * run): the wanted block and those after it in the same pack and upload. A pack at the default
 * `pack_size` is then one GET (16 per GiB read). The body is parsed as it streams, so the size costs
 * no memory; blocks not asked for yet wait within COLD_READ_AHEAD_BYTES.
 */
export const COLD_READ_RUN_BYTES = 64 * 1024 * 1024

/** Largest ranged GET of a cold read that starts in the middle of an upload (a seek): a short run until the reads prove sequential. */
export const COLD_READ_FIRST_RUN_BYTES = 4 * 1024 * 1024

/**
 * Read-ahead of cold reads, per GET: its blocks fetched but not yet asked for are kept up to this
 * many bytes. A sequential read that reaches a pack's last run starts the GET of the pack its
 * upload wrote next at once, so one GET streams while the last is consumed (the gap between runs
 * is never waited); a GET whose blocks nobody waits for pauses here (TCP flow control holds the
 * rest on the server). One sequential reader: at most two GETs, so ~2 × this in memory. 8 MiB
 * measured no faster than 4 (bench:tiers, session 12: README) and held up to 8 MiB more
 * of the cold read's peak RSS.
 */
export const COLD_READ_AHEAD_BYTES = 4 * 1024 * 1024

/** Shares of COLD_READ_AHEAD_BYTES all cold GETs together keep (many readers at once); past it the oldest fetched blocks are dropped (fetched again if asked). */
export const COLD_READ_AHEAD_GETS = 4

/** A cold GET paused at COLD_READ_AHEAD_BYTES this long with nobody asking for its blocks is abandoned (its rest is fetched again if asked); below COLD_SOCKET_TIMEOUT_MS. */
export const COLD_READ_AHEAD_IDLE_MS = 5_000

/** Blocks of one cold GET being hashed at once (on the thread pool, while the body keeps streaming). */
export const COLD_HASHES_IN_FLIGHT = 8

/** How often automatic tiering looks for roots to demote (`storage_policy.auto_tier`). */
export const AUTO_TIER_INTERVAL_MS = 600_000

/** Cold roots whose reads are counted toward promotion (`storage_policy.promote_reads`); past it the oldest count is dropped. */
export const PROMOTE_TRACKED_ROOTS = 10_000

/**
 * How often the kit samples its throughput and cache counters into the status history ring, and
 * how many samples it keeps: 180 × 2 s = the last 6 minutes, a few kB of numbers, so the status
 * page's charts have a past as soon as it opens, whoever else is watching.
 */
export const STATUS_HISTORY_INTERVAL_MS = 2_000
export const STATUS_HISTORY_SAMPLES = 180

/** Peers whose bytes sent and received are tallied for `/status` (the least recently active is forgotten first). */
export const PEER_TRAFFIC_TRACKED = 256

/** Connections listed in `/status` (those that sent us most first); the count of all is `peers`. */
export const STATUS_PEERS_SHOWN = 64

/** Providers listed per pull in `/status` (those that served most first). */
export const PULL_PROVIDERS_SHOWN = 16

/**
 * Roots whose access statistics are kept (src/seeding); past it the root accessed least recently
 * is dropped. About 200 bytes each in memory and in LevelDB: 2 MB at the bound.
 */
export const SEEDING_MAX_TRACKED_ROOTS = 10_000

/** Largest `seeding.auto_pin_reads`: read times kept per root, so the bound of the statistics' memory. */
export const SEEDING_MAX_AUTO_PIN_READS = 100

/** Access statistics changed since the last write are written at most this often (one LevelDB batch), and at stop. A crash loses at most this much. */
export const SEEDING_STATS_FLUSH_MS = 10_000

/** Hottest roots shown per-root on `/metrics` (`ipfs_kit_seeding_root_score{cid}`): a bounded label set. */
export const SEEDING_METRICS_TOP_ROOTS = 10

/** Roots waiting to be auto-pinned (one is pinned at a time); a crossing past it is skipped and counted, and comes back with its next read. */
export const SEEDING_AUTO_PIN_QUEUE = 64

/** How often auto pins are checked for `seeding.auto_unpin_after` (a quarter of it when that is shorter, at least 100 ms). */
export const SEEDING_AUTO_SWEEP_MS = 60_000

/** Longest wait for the routing layer to take the provider record of a root just auto-pinned (in the background; a failure is logged). */
export const SEEDING_PROVIDE_TIMEOUT_MS = 60_000

/** The seeding protocol: heartbeats (membership, holdings) and pin/drop requests between cluster members. */
export const SEEDING_PROTOCOL = '/ipfs-kit/seeding/1.0.0'

/** Largest seeding message (a heartbeat lists at most SEEDING_MAX_REPLICATED_ROOTS specs of ~150 bytes). */
export const SEEDING_MAX_MESSAGE_BYTES = 256 * 1024

/** Replicated roots a node takes part in (as origin or holder) and a heartbeat may list; a longer heartbeat is refused whole. */
export const SEEDING_MAX_REPLICATED_ROOTS = 1000

/** Largest replication factor (`--replicas` max). */
export const SEEDING_MAX_REPLICAS = 16

/** Members a node keeps heartbeats from; a new peer past it is ignored until one is forgotten. */
export const SEEDING_MAX_MEMBERS = 256

/** A member is live for this many heartbeat intervals after its last heartbeat (IPFS Cluster: a 15 s ping, 30 s TTL). */
export const SEEDING_HEARTBEAT_TTL_INTERVALS = 3

/** Deadline of one seeding message exchange (a heartbeat, a pin or drop request and its answer). */
export const SEEDING_MESSAGE_TIMEOUT_MS = 5_000

/** Inbound seeding streams at once per connection. */
export const SEEDING_MAX_INBOUND_STREAMS = 8

/** Longest a member spends on one preheat request (pulling the model), and how long the asker waits for its answer. */
export const SEEDING_PREHEAT_TIMEOUT_MS = 600_000

/** Pinning Service API requests a node keeps (records of ~300 bytes in LevelDB); a POST past it is refused (400) until some are deleted. */
export const PIN_SERVICE_MAX_REQUESTS = 10_000

/** Pinning Service API requests pinned at once; the rest wait as `queued`. */
export const PIN_SERVICE_CONCURRENCY = 4

/** Longest dial of one of a request's `origins` (best effort, before its pin). */
export const PIN_SERVICE_DIAL_TIMEOUT_MS = 10_000

/** A request's `origins` (the spec's bound). */
export const PIN_SERVICE_MAX_ORIGINS = 20

/** Keys of a request's `meta`, and the bytes of all its keys and values. */
export const PIN_SERVICE_MAX_META_KEYS = 64
export const PIN_SERVICE_MAX_META_BYTES = 16 * 1024

/** `node.tags` a node may set and a heartbeat may carry (more, or one malformed, and the heartbeat's tags are ignored). */
export const SEEDING_MAX_TAGS = 8

/** Longest tag key and value (keys: letters, digits, `._-`; values: printable ASCII). */
export const SEEDING_MAX_TAG_KEY_LENGTH = 32
export const SEEDING_MAX_TAG_VALUE_LENGTH = 64

/**
 * A replicated root whose highest decayed read score on any holder (`seeding stats`, halving every
 * `seeding.half_life`) reaches this is hot: the cluster keeps it on `max` holders.
 */
export const SEEDING_HOT_SCORE = 4

/**
 * A replicated root whose highest score on every holder is below this (about one read, a half-life
 * ago) is cold: the cluster lowers it toward `min` holders. Between the two, its holder count stays
 * where it is (within min..max).
 */
export const SEEDING_COLD_SCORE = 0.5

/** Largest body of a Pinning Service API call (a pin with its origins and meta). */
export const PIN_SERVICE_MAX_BODY_BYTES = 64 * 1024
