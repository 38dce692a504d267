/**
 * `@helia/verified-fetch` pointed at this gateway and nothing else (a Helia
 * without libp2p whose only block source is the gateway): every block it
 * fetches is hashed against its CID on the client side, so a gateway that
 * served wrong bytes would fail these tests.
 */
import { withHTTP } from '@helia/http'
import { createVerifiedFetch } from '@helia/verified-fetch'
import { createHeliaLight } from 'helia'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIB, all, patternBytes, sameBytes } from '../fixtures/bytes.ts'
import { gatewayRouter } from '../fixtures/gateway-router.ts'
import { startHttpNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { GatewayServer } from '../../src/http/index.ts'
import type { HttpNode } from '../fixtures/http-node.ts'
import type { VerifiedFetch } from '@helia/verified-fetch'

const sandbox = new Sandbox()
const original = globalThis.fetch
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('@helia/verified-fetch against the gateway', () => {
  let node: HttpNode
  let gateway: GatewayServer
  let verifiedFetch: VerifiedFetch
  let requests: string[]
  const big = patternBytes(2 * MIB + 77, 5)
  const cids = new Map<string, string>()

  beforeAll(async () => {
    node = await startHttpNode(sandbox)
    gateway = node.gateway
    for (const added of await all(node.client.addAll([
      { path: 'model/config.json', content: text('{"layers":2}') },
      { path: 'model/weights/model.bin', content: big }
    ]))) cids.set(added.path, added.cid.toString())
    cids.set('block', (await node.client.block.put(text('a raw block'))).toString())

    requests = []
    // no libp2p, no delegated routing, no public gateways: this gateway is the only source of blocks
    const helia = withHTTP(createHeliaLight({}), { delegatedRouters: [], recursiveGateways: [], allowLocal: true, allowInsecure: true })
    helia.addRouter(gatewayRouter(gateway.url) as any)
    await helia.start()
    verifiedFetch = await createVerifiedFetch(helia)
    // count what reaches the gateway, to prove it served the bytes
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input)
      if (url.startsWith(gateway.url)) requests.push(url)
      return await original(input, init)
    }
  }, 60_000)
  afterAll(async () => {
    globalThis.fetch = original
    await verifiedFetch?.stop()
    await node.stop()
    await sandbox.cleanup()
  })

  it('fetches a raw block', async () => {
    const res = await verifiedFetch(`ipfs://${cids.get('block')}`)
    expect(res.status).toBe(200)
    expect(new TextDecoder().decode(await res.arrayBuffer())).toBe('a raw block')
    expect(requests.some(r => r.includes(cids.get('block') as string))).toBe(true)
  })

  it('fetches a multi-block file, verified block by block', async () => {
    const before = requests.length
    const res = await verifiedFetch(`ipfs://${cids.get('model/weights/model.bin')}`)
    expect(res.status).toBe(200)
    expect(sameBytes(new Uint8Array(await res.arrayBuffer()), big)).toBe(true)
    // the root node and three leaves, each its own block request
    expect(requests.length - before).toBeGreaterThanOrEqual(4)
  })

  it('fetches a file by its path inside a directory', async () => {
    const res = await verifiedFetch(`ipfs://${cids.get('model')}/weights/model.bin`)
    expect(res.status).toBe(200)
    expect(sameBytes(new Uint8Array(await res.arrayBuffer()), big)).toBe(true)
    const config = await verifiedFetch(`ipfs://${cids.get('model')}/config.json`)
    expect(await config.text()).toBe('{"layers":2}')
  })
})
