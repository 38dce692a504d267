// The node's own importer (dist/src/unixfs, the code `ipfs-kit add` and the daemon run) on
// generated streams, so the Python importer is compared with it on files that would be too
// slow to push through a daemon: each case is only hashed here, never stored (the target's
// `put` drops the blocks). usage: node node_importer.mjs <repo root>; prints one JSON object.
import { createHash } from 'node:crypto'
import path from 'node:path'
import process from 'node:process'
import { pathToFileURL } from 'node:url'
import { TextEncoder } from 'node:util'

const root = process.argv[2]
const { importFile } = await import(pathToFileURL(path.join(root, 'dist/src/unixfs/index.js')).href)
const drop = { put: async () => {} }
const MIB = 1024 * 1024

/** Byte i of a small case: the same formula as tests/test_cid_parity.py's `pattern`. */
function pattern (size) {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 7 + 3) % 256
  return out
}

/** Chunk k of the long case: tests/test_cid_parity.py's `long_chunk`. */
const common = new Uint8Array(MIB).map((_, i) => i % 251)
function longChunk (k) {
  if (![0, 1, 1022, 1023].includes(k)) return common
  const seed = createHash('sha256').update(String(k)).digest()
  const out = new Uint8Array(MIB)
  for (let i = 0; i < MIB; i += 32) out.set(seed, i)
  return out
}
const TAIL = new TextEncoder().encode('seventeen bytes!!')

async function * longStream () {
  for (let k = 0; k < 1024; k++) yield longChunk(k)
  yield TAIL
}

const out = { small: {}, long: null }
for (const size of [0, 1, 16, 17, 64, 65, 257, 1029]) {
  out.small[size] = (await importFile([pattern(size)], drop, { chunkSize: 16, maxChildren: 4 })).cid.toString()
}
const long = await importFile(longStream(), drop)
out.long = { cid: long.cid.toString(), size: long.size }
process.stdout.write(JSON.stringify(out) + '\n')
