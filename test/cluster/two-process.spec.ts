import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startPeer, waitForPeers } from '../../peers/harness.ts'
import { MiB, writeRandomFile } from '../fixtures/random-file.ts'
import type { Peer } from '../../peers/harness.ts'

describe('two node processes over libp2p', () => {
  const peers: Peer[] = []
  let dir: string | undefined

  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async p => { await p.stop() }))
    if (dir != null) await rm(dir, { recursive: true, force: true })
  })

  it('retrieves a 20 MiB file stored by another process, byte for byte', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-2p-'))
    const source = join(dir, 'weights.bin')
    const size = 20 * MiB + 12345
    const expected = await writeRandomFile(source, size)

    const a = await startPeer()
    peers.push(a)
    const cid = await a.call('store', { path: source, pin: true })

    const b = await startPeer({ bootstrap: a.addresses })
    peers.push(b)
    expect(b.peerId).not.toBe(a.peerId)
    await waitForPeers(b, 1)

    const received = await b.call('retrieveToFile', { cid, path: join(dir, 'received.bin') }, { timeoutMs: 120_000 })
    expect(received).toEqual({ bytes: size, sha256: expected })
  }, 180_000)

  it('refuses a second process on the same data directory with a named error naming it', async () => {
    const a = await startPeer()
    peers.push(a)
    const second = startPeer({ dataDir: a.dataDir })
    await expect(second).rejects.toMatchObject({ name: 'RepoLockedError' })
    await expect(second).rejects.toThrow(a.dataDir)
  })

  it('keeps its peer id across a restart on the same data directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ipfs-kit-id-'))
    const first = await startPeer({ dataDir: dir })
    const id = first.peerId
    await first.stop()
    const again = await startPeer({ dataDir: dir })
    peers.push(again)
    expect(again.peerId).toBe(id)
  })
})
