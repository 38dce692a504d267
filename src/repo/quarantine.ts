/**
 * Where corrupt blocks go: `<dataDir>/quarantine/<file name>`, out of the
 * blockstore (so the block reads as missing and is fetched again from peers)
 * but kept for inspection. Each block is logged once and counted.
 */
import { mkdirSync, readdirSync, renameSync } from 'node:fs'
import path from 'node:path'
import { logger } from '@libp2p/logger'
import type { CID } from 'multiformats/cid'

const log = logger('ipfs-kit:quarantine')

export const QUARANTINE_DIR = 'quarantine'

export class Quarantine {
  readonly path: string
  private moved = 0
  private readonly seen = new Set<string>()

  constructor (dataDir: string) {
    this.path = path.join(dataDir, QUARANTINE_DIR)
  }

  /** Corrupt blocks moved here since the node started. */
  get count (): number {
    return this.moved
  }

  /**
   * Move a corrupt block file out of the blockstore. Synchronous, so the
   * block is gone before the read that found it returns. A file that vanished
   * meanwhile (another reader moved it) is not an error.
   */
  move (cid: CID, file: string): void {
    mkdirSync(this.path, { recursive: true })
    const target = path.join(this.path, `${path.basename(file)}.${Date.now()}`)
    try {
      renameSync(file, target)
    } catch (err: any) {
      if (err.code === 'ENOENT') return
      throw err
    }
    this.moved++
    const key = cid.multihash.toString()
    if (!this.seen.has(key)) {
      this.seen.add(key)
      log.error('block %c failed its hash check; moved to %s', cid, target)
    }
  }

  /** File names held in quarantine. */
  list (): string[] {
    try {
      return readdirSync(this.path)
    } catch {
      return []
    }
  }
}
