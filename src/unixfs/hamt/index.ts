/** UnixFS HAMT-sharded directories: writing them as Kubo does, and reading them one name or all names at a time. */
export { writeShard } from './build-shard.ts'
export type { ShardEntry, WriteShardOptions, WrittenShard } from './build-shard.ts'
export { findInShard, walkShard } from './read-shard.ts'
export type { FindInShardOptions, ShardNode, ShardStep } from './read-shard.ts'
export { shardParams } from './shard-params.ts'
export type { ShardParams } from './shard-params.ts'
export { HAMT_HASH_CODE, hamtHash } from './hamt-hash.ts'
