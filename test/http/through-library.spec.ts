/**
 * The HTTP faces read and write through the library: the gateway and the RPC
 * read paths fetch through the transfer engine (not bitswap alone) and are
 * counted in /metrics; `block/put?pin=true` writes and pins with no window
 * for gc in between.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createGatewayServer, createRpcServer } from '../../src/http/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'

const MiB = 1024 * 1024

/** A metric's value in a Prometheus text exposition (0 when absent). */
function metric (text: string, name: string, labels = ''): number {
  const line = text.split('\n').find(l => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)))
  return line == null ? 0 : Number(line.split(' ')[1])
}

describe('HTTP through the library', () => {
  const sandbox = new Sandbox()
  const servers: Array<{ stop(): Promise<void> }> = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop()
    await sandbox.cleanup()
  })

  /** A provider that speaks our transfer protocol but not bitswap, and a node that reads from it over HTTP. */
  const pair = async (): Promise<{ provider: Kit, reader: Kit, cid: string, bytes: Uint8Array, gateway: string, rpc: string }> => {
    const provider = await sandbox.kit({ offline: false })
    // test seam: stock bitswap off, so a read that only knew bitswap would find nothing
    for (const protocol of provider.protocols().filter(p => p.startsWith('/ipfs/bitswap/'))) await provider.libp2p?.unhandle(protocol)
    const bytes = randomBytes(3 * MiB + 100)
    const cid = await provider.storage.store(bytes, { pin: true })
    const reader = await sandbox.kit({ offline: false, bootstrap: provider.addresses() })
    const gateway = createGatewayServer(reader, { host: '127.0.0.1', port: 0, fetchTimeoutMs: 10_000 })
    const rpc = createRpcServer(reader, { host: '127.0.0.1', port: 0 })
    await gateway.start()
    await rpc.start()
    servers.push(gateway, rpc)
    return { provider, reader, cid, bytes, gateway: gateway.url, rpc: rpc.url }
  }

  it('the gateway fetches missing blocks through the transfer engine and counts them in /metrics', async () => {
    const { reader, cid, bytes, gateway } = await pair()
    const res = await fetch(`${gateway}/ipfs/${cid}`)
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)
    const text = await reader.telemetry.prometheus()
    expect(metric(text, 'ipfs_kit_network_fetched_bytes_total')).toBeGreaterThanOrEqual(bytes.byteLength)
    expect(metric(text, 'ipfs_kit_block_reads_total', '{source="network"}')).toBeGreaterThanOrEqual(4)
  })

  it('RPC block/get and dag/export fetch through the transfer engine too', async () => {
    const { cid, rpc } = await pair()
    const block = await fetch(`${rpc}/api/v0/block/get?arg=${cid}`, { method: 'POST' })
    expect(block.status).toBe(200)
    expect((await block.arrayBuffer()).byteLength).toBeGreaterThan(0)
    const car = await fetch(`${rpc}/api/v0/dag/export?arg=${cid}`, { method: 'POST' })
    expect(car.status).toBe(200)
    expect((await car.arrayBuffer()).byteLength).toBeGreaterThan(3 * MiB)
  })

  it('block/put?pin=true leaves gc nothing to take between the write and the pin', async () => {
    const kit = await sandbox.kit()
    const server = createRpcServer(kit, { host: '127.0.0.1', port: 0 })
    await server.start()
    servers.push(server)
    const rpc = server.url
    let running = true
    let collections = 0
    const collector = (async () => {
      while (running) {
        await kit.storage.gc({ verify: false })
        collections++
        await new Promise(resolve => setImmediate(resolve))
      }
    })()
    const keys: string[] = []
    try {
      for (let i = 0; i < 40; i++) {
        const form = new FormData()
        form.append('file', new Blob([randomBytes(1024)]))
        const res = await fetch(`${rpc}/api/v0/block/put?pin=true`, { method: 'POST', body: form })
        expect(res.status).toBe(200)
        keys.push((await res.json() as { Key: string }).Key)
      }
    } finally {
      running = false
      await collector
    }
    expect(collections).toBeGreaterThan(5)
    const pinned = new Set<string>()
    for await (const pin of kit.storage.pins()) pinned.add(pin.cid)
    for (const key of keys) {
      expect(pinned.has(key)).toBe(true)
      expect(await kit.storage.exists(key)).toBe(true)
    }
  })
})
