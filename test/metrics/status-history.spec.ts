/**
 * The bounded parts behind `/status`: the history ring keeps its last
 * samples only, peer tallies forget the least recently active peer, protocol
 * ids fall into the page's groups, and a pull's ETA and providers come from
 * its own figures.
 */
import { describe, expect, it } from 'vitest'
import { groupTransfer, PeerTraffic, protocolGroup, PullTracker, StatusHistory } from '../../src/metrics/index.ts'
import type { StatusSample } from '../../src/metrics/index.ts'

const sample = (at: number): StatusSample => ({ at, transfer: groupTransfer({}), cacheHits: at, cacheMisses: 0, cacheRemoteHits: 0 })

describe('status history and tallies', () => {
  it('keeps the last `capacity` samples, oldest first, and stops taking them on stop()', async () => {
    let n = 0
    const history = new StatusHistory({ sample: async () => sample(++n), intervalMs: 5, capacity: 3 })
    history.start()
    await new Promise(resolve => setTimeout(resolve, 100))
    await history.stop()
    const kept = history.samples().map(s => s.at)
    expect(n).toBeGreaterThan(4)
    expect(kept).toEqual([n - 2, n - 1, n])
    await new Promise(resolve => setTimeout(resolve, 30))
    expect(history.samples().map(s => s.at)).toEqual(kept)
  })

  it('groups libp2p protocol ids as the page charts them, leaving `global` out', () => {
    expect(protocolGroup('/ipfs-kit/transfer/1.0.0')).toBe('transfer')
    expect(protocolGroup('/ipfs/bitswap/1.2.0')).toBe('bitswap')
    expect(protocolGroup('/meshsub/1.1.0')).toBe('gossip')
    expect(protocolGroup('/ipfs-kit/kad/1.0.0')).toBe('dht')
    expect(protocolGroup('/ipfs/id/1.0.0')).toBe('other')
    const grouped = groupTransfer({ global: { sent: 100, received: 100 }, '/ipfs-kit/transfer/1.0.0': { sent: 1, received: 2 }, '/ipfs/kad/1.0.0': { sent: 3, received: 4 } })
    expect(grouped.transfer).toEqual({ in: 2, out: 1 })
    expect(grouped.dht).toEqual({ in: 4, out: 3 })
    expect(grouped.other).toEqual({ in: 0, out: 0 })
  })

  it('forgets the least recently active peer beyond its limit', () => {
    const traffic = new PeerTraffic(2)
    traffic.received('a', 10)
    traffic.sent('b', 5)
    traffic.received('a', 1) // a is now the most recent
    traffic.received('c', 7)
    expect(traffic.size).toBe(2)
    expect(traffic.get('a')).toEqual({ received: 11, sent: 0 })
    expect(traffic.get('b')).toEqual({ received: 0, sent: 0 })
    expect(traffic.get('c')).toEqual({ received: 7, sent: 0 })
  })

  it('gives a pull its ETA from its rate and lists its providers by bytes served', () => {
    const pulls = new PullTracker()
    const pull = pulls.track('dataset', 'acme/shards')
    expect(pulls.list()[0]).toMatchObject({ kind: 'dataset', etaSeconds: null, providers: [] })
    pull.update({ bytesTotal: 1000, bytesDone: 400, rate: 200 })
    pull.served('p1', 100)
    pull.served('p2', 300)
    pull.served('p1', 50)
    expect(pulls.list()[0]).toMatchObject({ bytesDone: 400, etaSeconds: 3, providers: [{ peer: 'p2', bytes: 300 }, { peer: 'p1', bytes: 150 }] })
    pull.end()
    expect(pulls.size).toBe(0)
  })
})
