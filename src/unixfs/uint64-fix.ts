/**
 * Work around a protons-runtime bug (7.1.2 and 8.0.1): `Writer.uint64` of a
 * value in [2^31, 2^32) writes one `0x00` byte where it reserved five,
 * leaving four uninitialised bytes in the message (`LongBits` keeps the low
 * word signed, and `writeVarint64` stops at once on a negative word). UnixFS
 * records a file's size as uint64, so every file of 2–4 GiB got a corrupt
 * root node: a CID unlike Kubo's, and reads that fail at random.
 *
 * The fix replaces `uint64` on the Writer prototype of the protons-runtime
 * copy that ipfs-unixfs uses: values up to 2^53 go through `uint64Number`
 * (an exact varint of a safe integer); larger ones keep the original path,
 * which is correct once the high word is non-zero. Applied once, at import.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

interface WriterProto {
  uint64(value: bigint): unknown
  uint64Number(value: number): unknown
  __ipfsKitUint64Fix?: boolean
}

/** The protons-runtime entry that `ipfs-unixfs` resolves (its own nested copy, else the hoisted one). */
function protonsEntryOfUnixfs (): string {
  const require = createRequire(import.meta.url)
  const unixfsDir = path.dirname(path.dirname(path.dirname(require.resolve('ipfs-unixfs'))))
  const candidates = [
    path.join(unixfsDir, 'node_modules', 'protons-runtime', 'dist', 'src', 'index.js'),
    path.join(unixfsDir, '..', 'protons-runtime', 'dist', 'src', 'index.js')
  ]
  const found = candidates.find(p => existsSync(p))
  if (found == null) throw new Error('protons-runtime used by ipfs-unixfs not found')
  return found
}

const { writer } = await import(pathToFileURL(protonsEntryOfUnixfs()).href) as { writer(): object }
const proto = Object.getPrototypeOf(writer()) as WriterProto
if (proto.__ipfsKitUint64Fix !== true) {
  const original = proto.uint64
  proto.uint64 = function (this: WriterProto, value: bigint) {
    return value >= 0n && value <= MAX_SAFE ? this.uint64Number(Number(value)) : original.call(this, value)
  }
  proto.__ipfsKitUint64Fix = true
}

export {}
