/**
 * Flooding a node's provider index: on each of `rounds` reconnections the
 * victim asks our index (identify triggers it) and gets a ~1 MiB answer of
 * fresh entries — a few about ourselves, the rest "bindings" of made-up
 * model names to other peers (real-looking peer ids, none reachable) — and a
 * gossip announcement of `selfModels` models for ourselves.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { MODELS_MAX_MESSAGE_BYTES, MODELS_TOPIC } from '../../src/constants.ts'
import { answerModels } from './models-answers.ts'
import type { IndexEntry } from '../../src/models/protocol.ts'
import type { Kit } from '../../src/index.ts'

export interface FloodInit {
  /** The victim's address (with /p2p/). */
  address: string
  rounds: number
  /** Made-up peers the third-party entries name. */
  fakePeers: number
  /** Models announced for ourselves by gossip each round. */
  selfModels: number
}

export async function flood (kit: Kit, init: FloodInit): Promise<{ entriesSent: number, asked: number }> {
  const libp2p = kit.libp2p
  if (libp2p == null) throw new Error('a flooding peer needs libp2p')
  const self = libp2p.peerId.toString()
  const fakes = await Promise.all(Array.from({ length: init.fakePeers }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  const root = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('flood'))).toString()
  let serial = 0
  const entry = (peerId: string): IndexEntry => ({ name: `flood/m-${(serial++).toString(36)}`, peerId, addresses: [`/ip4/127.0.0.1/tcp/9/p2p/${peerId}`], revision: 'main', root })
  let asked = 0
  let entriesSent = 0
  await answerModels(libp2p, request => {
    if (request.op !== 'index') return { models: [], referrals: [] }
    asked++
    // fresh names every time, about ourselves and (mostly) about others, up to just under the frame limit
    const providers: IndexEntry[] = Array.from({ length: init.selfModels }, () => entry(self))
    let bytes = JSON.stringify(providers).length
    while (bytes < MODELS_MAX_MESSAGE_BYTES - 4096) {
      const e = entry(fakes[serial % fakes.length] as string)
      providers.push(e)
      bytes += JSON.stringify(e).length + 1
    }
    entriesSent += providers.length
    return { providers }
  })
  const victim = multiaddr(init.address)
  const victimId = init.address.split('/p2p/')[1]
  if (victimId == null) throw new Error('the victim address needs /p2p/')
  const pubsub = (libp2p.services as any).pubsub
  for (let round = 1; round <= init.rounds; round++) {
    const target = libp2p.getPeers().find(p => p.toString() === victimId)
    if (target != null) await libp2p.hangUp(target)
    // a victim may reset a peer that reconnects this fast (libp2p's inbound rate limit): try again a little later
    for (let attempt = 1; ; attempt++) {
      try {
        await libp2p.dial(victim)
        break
      } catch (err) {
        if (attempt >= 10) throw err
        await new Promise(resolve => setTimeout(resolve, 300))
      }
    }
    for (let i = 0; i < 100 && asked < round; i++) await new Promise(resolve => setTimeout(resolve, 50))
    const models = Array.from({ length: init.selfModels }, () => ({ name: `flood/g-${(serial++).toString(36)}`, revision: 'main', root }))
    await pubsub?.publish(MODELS_TOPIC, new TextEncoder().encode(JSON.stringify({ v: 1, peerId: self, addresses: [], models }))).catch(() => {})
  }
  return { entriesSent, asked }
}
