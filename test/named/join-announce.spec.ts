/**
 * When a node announces for a peer that joins the names topic, on two real
 * libp2p nodes over TCP loopback (the product's composition): for a peer
 * already connected before its discovery started (its identify-time `index`
 * exchange could not happen), not for a peer that connects already running
 * discovery (that exchange tells it everything; in a fleet every DHT walk
 * opens such connections).
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { MODELS_PROTOCOL, MODELS_TOPIC } from '../../src/constants.ts'
import { startAnnouncer } from '../../src/named/announcer.ts'
import { ProviderIndex } from '../../src/named/provider-index.ts'
import { libp2pOptions } from '../../src/node/libp2p-options.ts'
import type { Announcer } from '../../src/named/announcer.ts'
import type { LocalRecord } from '../../src/named/index.ts'
import type { Libp2p } from '@libp2p/interface'

const ROOT = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const held: LocalRecord[] = [{ name: 'acme/bert', revision: 'main', root: ROOT, created: 0, origin: 'pulled' }]
/** Longer than MODELS_JOIN_ANNOUNCE_DELAY_MS plus a subscription's round trip on loopback. */
const QUIET_MS = 1_500

const node = async (): Promise<Libp2p> => await createLibp2p(libp2pOptions({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], dhtProtocol: '/ipfs-kit/kad/1.0.0' }))
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('announcing for a joining peer', () => {
  const nodes: Libp2p[] = []
  let announcer: Announcer | undefined

  afterEach(async () => {
    announcer?.stop()
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
  })

  /** A node running the announcer (interval far beyond the test), and the announcements it publishes. */
  const announcing = async (): Promise<{ a: Libp2p, published: number[] }> => {
    const a = await node()
    nodes.push(a)
    const published: number[] = []
    const pubsub = (a.services as any).pubsub
    const publish = pubsub.publish.bind(pubsub)
    pubsub.publish = async (topic: string, data: Uint8Array) => {
      if (topic === MODELS_TOPIC) published.push(Date.now())
      return await publish(topic, data)
    }
    announcer = startAnnouncer(a, new ProviderIndex(180_000), async () => held, undefined, { intervalMs: 600_000 })
    return { a, published }
  }

  it('announces once an already-connected peer starts discovery (subscribes)', async () => {
    const { a, published } = await announcing()
    const b = await node()
    nodes.push(b)
    await b.dial(a.getMultiaddrs()[0] as any)
    await sleep(QUIET_MS)
    expect(published).toHaveLength(0)
    ;(b.services as any).pubsub.subscribe(MODELS_TOPIC)
    const deadline = Date.now() + 10_000
    while (published.length === 0 && Date.now() < deadline) await sleep(50)
    expect(published).toHaveLength(1)
  })

  it('does not announce for a peer that connects already running discovery', async () => {
    const { a, published } = await announcing()
    const b = await node()
    nodes.push(b)
    await b.handle(MODELS_PROTOCOL, async stream => { stream.abort(new Error('not asked in this test')) })
    ;(b.services as any).pubsub.subscribe(MODELS_TOPIC)
    await b.dial(a.getMultiaddrs()[0] as any)
    // b's subscription has reached a: a's gossipsub lists b on the topic
    const deadline = Date.now() + 10_000
    while (!(a.services as any).pubsub.getSubscribers(MODELS_TOPIC).some((p: any) => p.equals(b.peerId)) && Date.now() < deadline) await sleep(50)
    expect((a.services as any).pubsub.getSubscribers(MODELS_TOPIC).map(String)).toContain(b.peerId.toString())
    await sleep(QUIET_MS)
    expect(published).toHaveLength(0)
  })
})
