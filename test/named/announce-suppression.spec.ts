/**
 * Announce suppression on a real libp2p node (the product's composition, no
 * peers): what its periodic gossip carries is read off gossipsub's publish.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS_TOPIC } from '../../src/constants.ts'
import { startAnnouncer } from '../../src/named/announcer.ts'
import { ProviderIndex } from '../../src/named/provider-index.ts'
import { libp2pOptions } from '../../src/node/libp2p-options.ts'
import type { LocalRecord } from '../../src/named/index.ts'
import type { Libp2p } from '@libp2p/interface'

const ROOT = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const INTERVAL_MS = 300
const held: LocalRecord[] = ['acme/popular', 'acme/rare'].map(name => ({ name, revision: 'main', root: ROOT, created: 0, origin: 'pulled' }))

describe('announce suppression', () => {
  let libp2p: Libp2p
  /** Names in each announcement this node published, in order. */
  const published: string[][] = []

  beforeAll(async () => {
    libp2p = await createLibp2p(libp2pOptions({ privateKey: await generateKeyPair('Ed25519'), listen: [], dhtProtocol: '/ipfs-kit/kad/1.0.0' }))
    const pubsub = (libp2p.services as any).pubsub
    const publish = pubsub.publish.bind(pubsub)
    pubsub.publish = async (topic: string, data: Uint8Array) => {
      if (topic === MODELS_TOPIC) published.push(JSON.parse(new TextDecoder().decode(data)).models.map((m: { name: string }) => m.name))
      return await publish(topic, data)
    }
  })

  afterAll(async () => {
    await libp2p?.stop()
  })

  it('leaves out of its periodic announcement a name enough others announced lately, and never a name just pulled', async () => {
    const index = new ProviderIndex(3 * INTERVAL_MS)
    const announcer = startAnnouncer(libp2p, index, async () => held, undefined, { intervalMs: INTERVAL_MS, redundancy: 2 })
    try {
      // two other holders of acme/popular keep announcing; acme/rare has one
      const heard = setInterval(() => {
        for (const peerId of ['peer-a', 'peer-b']) index.add('acme/popular', { peerId, addresses: [], root: ROOT, revision: 'main', via: 'gossip' })
        index.add('acme/rare', { peerId: 'peer-a', addresses: [], root: ROOT, revision: 'main', via: 'gossip' })
      }, INTERVAL_MS / 10)
      try {
        await announcer.announce(held[0] as LocalRecord)
        const periodicFrom = published.length
        while (published.length < periodicFrom + 3) await new Promise(resolve => setTimeout(resolve, INTERVAL_MS / 2))
        expect(published[periodicFrom - 1]).toEqual(['acme/popular', 'acme/rare'])
        for (const names of published.slice(periodicFrom)) expect(names).toEqual(['acme/rare'])
      } finally {
        clearInterval(heard)
      }
    } finally {
      announcer.stop()
    }
  })
})
