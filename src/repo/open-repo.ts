/**
 * Opening a data directory: `<dataDir>/blocks` and `<dataDir>/datastore`.
 * LevelDB's LOCK file (an OS lock, released by the kernel when a process
 * dies, even by SIGKILL) is what keeps a second process out; its failure is
 * turned into a named error that names the directory. The directory is made
 * owner-only (0700) before anything is written in it, and the datastore's
 * files (the node's identity key among them) 0600 (file-modes.ts).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { Level } from 'level'
import { FsBlockstore } from '../blocks/index.ts'
import { BLOCKS_DIR, DATASTORE_DIR } from '../constants.ts'
import { RepoCorruptError, RepoLockedError, RepoOpenError } from '../errors.ts'
import { ensurePrivateDir, restrictFiles } from './file-modes.ts'
import { MetaStore } from './meta-store.ts'
import { Quarantine } from './quarantine.ts'
import type { FsBlockstoreInit } from '../blocks/index.ts'

export interface Repo {
  dataDir: string
  blockstore: FsBlockstore
  datastore: LevelDatastore
  meta: MetaStore
  /** Where blocks that fail their hash on read are moved. */
  quarantine: Quarantine
  close(): Promise<void>
}

export interface OpenRepoOptions extends FsBlockstoreInit {
  /** Write metadata batches with LevelDB `sync`. @default false */
  sync?: boolean
  /** Told when the data directory was open to other users and has been made 0700. @default process.emitWarning */
  onTightened?(dir: string, previousMode: number): void
}

export async function openRepo (dataDir: string, options: OpenRepoOptions = {}): Promise<Repo> {
  const location = path.join(dataDir, DATASTORE_DIR)
  try {
    await ensurePrivateDir(dataDir, { onTightened: options.onTightened ?? warnTightened })
    await ensurePrivateDir(location)
  } catch (err: any) {
    throw new RepoOpenError(dataDir, err.code ?? err.message, { cause: err })
  }
  const db = new Level<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    await db.open({ createIfMissing: true, compression: false })
    // files LevelDB creates later are 0644 & ~umask, but inside two 0700 directories
    await restrictFiles(location)
  } catch (err: any) {
    if (isLockError(err)) throw new RepoLockedError(dataDir, { cause: err })
    if (isCorruption(err)) throw new RepoCorruptError(dataDir, err.cause?.message ?? err.message, { cause: err })
    throw new RepoOpenError(dataDir, err.cause?.message ?? err.message, { cause: err })
  }
  try {
    const datastore = new LevelDatastore(db)
    const quarantine = new Quarantine(dataDir)
    const blockstore = new FsBlockstore(path.join(dataDir, BLOCKS_DIR), {
      ...options,
      onCorrupt: (cid, file) => {
        quarantine.move(cid, file)
        options.onCorrupt?.(cid, file)
      }
    })
    await blockstore.open()
    return {
      dataDir,
      blockstore,
      datastore,
      meta: new MetaStore(db, options.sync ?? false),
      quarantine,
      close: async () => {
        await blockstore.close()
        await db.close()
      }
    }
  } catch (err: any) {
    await db.close()
    throw new RepoOpenError(dataDir, err.message, { cause: err })
  }
}

/**
 * Rebuild a damaged LevelDB datastore (e.g. a garbled `CURRENT` file) from
 * its table and log files: LevelDB's own repair. The directory must not be in
 * use. Blocks are not touched; run `verify --repair` afterwards.
 */
export async function repairRepo (dataDir: string): Promise<void> {
  const location = path.join(dataDir, DATASTORE_DIR)
  try {
    await fs.access(location)
  } catch (err: any) {
    throw new RepoOpenError(dataDir, `no datastore at ${location}`, { cause: err })
  }
  await (Level as unknown as { repair(location: string): Promise<void> }).repair(location)
}

function warnTightened (dir: string, previousMode: number): void {
  process.emitWarning(`ipfs-kit: the data directory ${dir} was open to other users (mode ${previousMode.toString(8).padStart(4, '0')}); it holds the node's identity key, so it is now 0700`, { code: 'IPFS_KIT_DATA_DIR_MODE' })
}

function isCorruption (err: any): boolean {
  const cause = err?.cause
  if (cause?.code === 'LEVEL_CORRUPTION') return true
  // CURRENT naming a MANIFEST that is not there
  return cause?.code === 'LEVEL_IO_ERROR' && /MANIFEST-\d+: No such file/.test(String(cause?.message))
}

function isLockError (err: any): boolean {
  const cause = err?.cause
  return cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String(cause?.message ?? ''))
}
