/**
 * Where a command runs. When a daemon answers on the data directory's control
 * socket, the command runs through it; otherwise a Kit is opened on the
 * directory (and if a daemon took the directory in between — RepoLockedError —
 * the daemon is asked once more). Either way the command gets the same
 * KitOperations.
 *
 * The daemon is tried first so that a command run through it never loads the
 * library (libp2p, Helia, zod: about a second of start-up on a busy 2-core
 * machine, which is a third of a 512 MiB transfer at library speed).
 */
import path from 'node:path'
import { logger } from '@libp2p/logger'
import { controlClient, localOperations } from '../control/index.ts'
// the data directory's rule alone: config/index.ts would load zod and yaml, which a daemon command does not need
import { resolveDataDir } from '../config/paths.ts'
import type { GlobalOptions } from './command.ts'
import type { ControlClient, KitOperations } from '../control/index.ts'
import type { RepoLockedError } from '../index.ts'

const log = logger('ipfs-kit:cli')

/** Socket errors that mean no daemon was there: no socket file, or one left by a daemon that died. */
const NOBODY_LISTENING = ['ENOENT', 'ECONNREFUSED']

export interface Session extends KitOperations {
  /** `local`: a Kit in this process; `daemon`: the daemon holding the data directory. */
  readonly via: 'local' | 'daemon'
  /** Stop the local Kit (nothing to do for a daemon). */
  close(): Promise<void>
}

export interface OpenSessionOptions {
  globals: GlobalOptions
  /** The command can use peers; otherwise a local Kit is opened offline. */
  network: boolean
}

export async function openSession (options: OpenSessionOptions): Promise<Session> {
  const { globals } = options
  const first = await reachDaemon(controlClient(await dataDirOf(globals)))
  if (first.session != null) return first.session
  // loaded here, not at start-up: help, usage errors, config commands and commands run through a daemon do not need the libp2p stack
  const { createKit } = await import('../index.ts')
  try {
    const kit = await createKit({
      dataDir: globals.dataDir,
      configFile: globals.config,
      offline: globals.offline || !options.network,
      // a one-shot command dials out but does not listen: it must not take the port of a daemon on another directory
      listen: []
    })
    return { ...localOperations(kit), via: 'local', close: async () => { await kit.stop() } }
  } catch (err: any) {
    if (err?.name !== 'RepoLockedError') throw err
    const locked = err as RepoLockedError
    // A daemon started since we found no one listening (one that was there but did not answer is not
    // asked twice); when it does not answer either, the lock error is what the user sees.
    const again = first.nobodyListening ? await reachDaemon(controlClient(locked.dataDir)) : first
    if (again.session == null) throw locked
    return again.session
  }
}

/** The data directory the Kit would open; the config file is read only when one is given (the embedded one sets no cache_dir). */
async function dataDirOf (globals: GlobalOptions): Promise<string> {
  if (globals.config == null) return resolveDataDir(globals.dataDir, null)
  const { loadConfig } = await import('../config/index.ts')
  const config = loadConfig({ file: globals.config, dataDir: globals.dataDir })
  return resolveDataDir(globals.dataDir, config.ipfs_kit.cache_dir)
}

/** A session through the daemon when one answers on its socket; none when no daemon does (no socket, a stale one, no answer in time). */
async function reachDaemon (client: ControlClient): Promise<{ session?: Session, nobodyListening: boolean }> {
  try {
    await client.ping()
  } catch (err: any) {
    log('no daemon answers on %s - %e', client.path, err)
    return { nobodyListening: NOBODY_LISTENING.includes(err?.cause?.code) }
  }
  log('%s is held by a daemon: running through it', path.dirname(client.path))
  return { session: { ...client, via: 'daemon', close: async () => {} }, nobodyListening: false }
}
