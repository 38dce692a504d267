/** The trust commands over the RPC API: trust, trusted, untrust, yank. */
import { afterEach, describe, expect, it } from 'vitest'
import { startRpcNode } from '../fixtures/http-node.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const ID = 'did:key:z6MkpJ3J82aRWK4v4PvE2NU1PYp39sjTkjFrxnw4UbyrknS8'

describe('RPC trust commands', () => {
  const sandbox = new Sandbox()
  afterEach(async () => { await sandbox.cleanup() })

  it('records, lists and removes a trusted publisher for an org, and refuses a malformed id', async () => {
    const node = await startRpcNode(sandbox)
    try {
      const post = async (path: string): Promise<Response> => await fetch(`${node.rpc.url}/api/v0/${path}`, { method: 'POST' })
      const bad = await post('ipfs-kit/models/trust?arg=acme&publisher=not-an-id')
      expect(bad.status).toBeGreaterThanOrEqual(400)
      expect((await bad.json() as { Message: string }).Message).toContain('not a publisher id')
      expect(await (await post(`ipfs-kit/models/trust?arg=acme&publisher=${ID}`)).json()).toEqual({ Org: 'acme', Publishers: [ID] })
      expect(await (await post('ipfs-kit/models/trusted')).json()).toEqual({ Trust: [{ Org: 'acme', Publishers: [ID], Source: 'recorded' }] })
      expect(await (await post(`ipfs-kit/models/untrust?arg=acme&publisher=${ID}`)).json()).toEqual({ Org: 'acme', Publishers: [] })
      expect(await (await post('ipfs-kit/models/trusted')).json()).toEqual({ Trust: [] })
      // a yank is signed with this node's own publisher key
      const yank = await (await post('ipfs-kit/models/yank?arg=acme/m&revision=v1')).json() as { Publisher: string, Revision: string }
      expect(yank).toMatchObject({ Publisher: node.kit.publisher, Revision: 'v1' })
    } finally {
      await node.stop()
    }
  })
})
