/**
 * Whole-file reads and writes for block files, on raw file descriptors with
 * callbacks: no FileHandle object (and its GC finalizer) per file, as with
 * fs/promises. Calls that may wait for the disk are thread-pool jobs; the
 * two that cannot (fstat and close of a file being read) run inline. Writes
 * go in WRITE_PIECE_BYTES pieces, all submitted at once. For the ~1 MiB files
 * a blockstore moves thousands of times per second, measurably less
 * main-thread work and kernel time (benchmarks/storage.ts).
 */
import fs from 'node:fs'
import { WRITE_PIECE_BYTES } from '../constants.ts'

/**
 * The whole content of `file`, in one buffer allocated at its size. Throws fs
 * errors (ENOENT …) as they come.
 *
 * Only `open` and `read`, which may wait for the disk, go to the thread pool.
 * `fstat` of the open file (its inode is in memory) and `close` of a
 * read-only descriptor run on the calling thread: ~1 µs each, where each
 * thread-pool round trip cost the main thread 30–80 µs here (waking a pool
 * thread), 7 % of a large stream's main-thread time for `close` alone.
 */
export async function readWholeFile (file: string): Promise<Uint8Array> {
  const fd = await open(file, 'r')
  try {
    const { size } = fs.fstatSync(fd)
    const bytes = Buffer.allocUnsafe(size)
    let at = 0
    while (at < size) {
      const n = await read(fd, bytes, at, size - at, at)
      if (n === 0) break // shrank since fstat: what was read fails its hash
      at += n
    }
    return at === size ? bytes : bytes.subarray(0, at)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Create `file`, which must not exist, holding `bytes`; with `datasync`,
 * flushed to disk before this resolves. On failure the file is removed.
 */
export async function writeNewFile (file: string, bytes: Uint8Array, datasync: boolean): Promise<void> {
  await writeAndClose(await createFile(file), file, bytes, datasync)
}

/** Open a new, empty `file` for writing. Fails with EEXIST when it exists. */
export async function createFile (file: string): Promise<number> {
  return await open(file, 'wx')
}

/**
 * Write all of `bytes` to `fd` (the open, empty `file`), fdatasync it with
 * `datasync`, and close it. The writes, one per WRITE_PIECE_BYTES, are all
 * submitted before this returns its promise, so work the caller does next
 * runs alongside them. On failure the file is closed and removed.
 */
export async function writeAndClose (fd: number, file: string, bytes: Uint8Array, datasync: boolean): Promise<void> {
  const pieces: Array<Promise<void>> = []
  for (let at = 0; at < bytes.byteLength; at += WRITE_PIECE_BYTES) {
    pieces.push(writeAt(fd, bytes, at, Math.min(WRITE_PIECE_BYTES, bytes.byteLength - at)))
  }
  try {
    // every piece settles before the fd is closed, failed or not: the number could be reused
    const failed = (await Promise.allSettled(pieces)).find(result => result.status === 'rejected')
    if (failed != null) throw failed.reason
    if (datasync) await fdatasync(fd)
  } catch (err) {
    await close(fd).catch(() => {})
    await unlink(file).catch(() => {})
    throw err
  }
  await close(fd)
}

/** Write `length` bytes of `bytes` from `offset` at file position `offset`, however many calls it takes. */
async function writeAt (fd: number, bytes: Uint8Array, offset: number, length: number): Promise<void> {
  for (let done = 0; done < length;) {
    done += await write(fd, bytes, offset + done, length - done, offset + done)
  }
}

/** Close `fd` and remove `file`, ignoring errors: for a file that is no longer wanted. */
export async function discardFile (fd: number, file: string): Promise<void> {
  await close(fd).catch(() => {})
  await unlink(file).catch(() => {})
}

/** The file's stats, or undefined when it does not exist. */
export async function statOrUndefined (file: string): Promise<fs.Stats | undefined> {
  return await new Promise((resolve, reject) => {
    fs.stat(file, (err, stats) => {
      if (err == null) resolve(stats)
      else if (err.code === 'ENOENT') resolve(undefined)
      else reject(err)
    })
  })
}

export async function rename (from: string, to: string): Promise<void> {
  await new Promise<void>((resolve, reject) => { fs.rename(from, to, done(resolve, reject)) })
}

export async function unlink (file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => { fs.unlink(file, done(resolve, reject)) })
}

async function open (file: string, flags: string): Promise<number> {
  return await new Promise((resolve, reject) => { fs.open(file, flags, give(resolve, reject)) })
}

async function read (fd: number, into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return await new Promise((resolve, reject) => { fs.read(fd, into, offset, length, position, give(resolve, reject)) })
}

async function write (fd: number, bytes: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return await new Promise((resolve, reject) => { fs.write(fd, bytes, offset, length, position, give(resolve, reject)) })
}

async function fdatasync (fd: number): Promise<void> {
  await new Promise<void>((resolve, reject) => { fs.fdatasync(fd, done(resolve, reject)) })
}

async function close (fd: number): Promise<void> {
  await new Promise<void>((resolve, reject) => { fs.close(fd, done(resolve, reject)) })
}

/** A node-style callback settling a promise with its value. */
function give<T> (resolve: (value: T) => void, reject: (err: Error) => void): (err: Error | null, value: T) => void {
  return (err, value) => { if (err == null) resolve(value); else reject(err) }
}

/** A node-style callback settling a promise without a value. */
function done (resolve: () => void, reject: (err: Error) => void): (err?: Error | null) => void {
  return err => { if (err == null) resolve(); else reject(err) }
}
