/**
 * The UnixFS layer, below storage (as Helia keeps `@helia/unixfs` apart from
 * its blockstore): the pipelined importer (Kubo's `unixfs-v1-2025` profile),
 * the verified file reader, directories and HAMT shards, path resolution.
 * Every block it reads comes from a `BlockSource`, so it is hash-verified.
 */
import './uint64-fix.ts'
export { importFile } from './importer.ts'
export { PROFILE_MAX_CHILDREN } from './importer.ts'
export type { ImportTarget, ImportFileOptions, ImportFileResult } from './importer.ts'
export { readFile, fileSize, sizeOfRoot, withBlock } from './file-reader.ts'
export type { ReadRange } from './file-reader.ts'
export { DirectoryTree } from './directory.ts'
export type { DirectoryEntryResult, DirectoryBuildOptions } from './directory.ts'
export { assertLinkName, pathSegments } from './path-segments.ts'
export { writeDagPbBlock } from './dag-pb-block.ts'
export { decodeNode, directoryBlocks, directoryEntries, findEntry, readNode, resolvePath } from './unixfs-path.ts'
export type { DirectoryLink, ReadBlock, ResolveOptions, UnixFSKind, UnixFSNode } from './unixfs-path.ts'
