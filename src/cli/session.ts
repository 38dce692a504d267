/**
 * Where a command runs. A Kit is opened on the data directory; when a daemon
 * holds it (RepoLockedError), the command runs through the daemon's control
 * socket instead. Either way the command gets the same KitOperations.
 */
import { logger } from '@libp2p/logger'
import { controlClient, localOperations } from '../control/index.ts'
import type { GlobalOptions } from './command.ts'
import type { KitOperations } from '../control/index.ts'
import type { RepoLockedError } from '../index.ts'

const log = logger('ipfs-kit:cli')

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
  // loaded here, not at start-up: help, usage errors and config commands do not need the libp2p stack
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
    return await daemonSession(err as RepoLockedError)
  }
}

/** The daemon holding the directory; when it does not answer, the lock error is what the user sees. */
async function daemonSession (locked: RepoLockedError): Promise<Session> {
  const client = controlClient(locked.dataDir)
  try {
    await client.ping()
  } catch (err) {
    log('%s is locked and its control socket %s did not answer - %e', locked.dataDir, client.path, err)
    throw locked
  }
  log('%s is held by a daemon: running through %s', locked.dataDir, client.path)
  return { ...client, via: 'daemon', close: async () => {} }
}
