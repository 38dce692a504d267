/**
 * The gateway, `get` (tar) and `dag/export` stream: a file larger than the
 * memory we would spend on it goes out as a file, a CAR and a tar without
 * being held whole. Responses are read with node:http, which keeps nothing.
 */
import { createHash } from 'node:crypto'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGatewayServer, createRpcServer } from '../../src/http/index.ts'
import { MIB, patternBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { GatewayServer, RpcServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()
const FILE_MIB = 256
/** Peak RSS growth allowed while the file goes out: well under the file's size. */
const BUDGET = 160 * MIB

/** Read a response to the end, hashing it; resolves to its status, byte count and sha256. */
async function drain (url: string, method = 'GET'): Promise<{ status: number, bytes: number, sha256: string }> {
  return await new Promise((resolve, reject) => {
    const req = http.request(url, { method }, res => {
      const hash = createHash('sha256')
      let bytes = 0
      res.on('data', (chunk: Buffer) => { hash.update(chunk); bytes += chunk.byteLength })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex') }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('gateway and RPC downloads stream', () => {
  let kit: Kit
  let gateway: GatewayServer
  let rpc: RpcServer
  let cid: string
  let sha256: string

  beforeAll(async () => {
    kit = await sandbox.kit({ config: { ipfs_kit: { performance: { memory_cache_size: 0 } } } })
    // no hot tier: this measures streaming; the hot tier's memory (performance.memory_cache_size) is spent on purpose and bounded in test/storage/tiers.spec.ts
    const hash = createHash('sha256')
    async function * content (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < FILE_MIB; i++) {
        const chunk = patternBytes(MIB, i + 1)
        hash.update(chunk)
        yield chunk
      }
    }
    cid = await kit.storage.store(content())
    sha256 = hash.digest('hex')
    gateway = createGatewayServer(kit, { port: 0 })
    await gateway.start()
    rpc = createRpcServer(kit, { port: 0 })
    await rpc.start()
  }, 120_000)
  afterAll(async () => {
    await gateway?.stop()
    await rpc?.stop()
    await sandbox.cleanup()
  })

  it(`serves ${FILE_MIB} MiB as a file, a CAR, a tar and a dag/export holding less than ${BUDGET / MIB} MiB more memory`, async () => {
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
    try {
      const file = await drain(`${gateway.url}/ipfs/${cid}`)
      expect(file).toEqual({ status: 200, bytes: FILE_MIB * MIB, sha256 })
      const car = await drain(`${gateway.url}/ipfs/${cid}?format=car`)
      expect(car.status).toBe(200)
      expect(car.bytes).toBeGreaterThan(FILE_MIB * MIB)
      const tar = await drain(`${rpc.url}/api/v0/get?arg=${cid}`, 'POST')
      expect(tar.status).toBe(200)
      expect(tar.bytes).toBeGreaterThan(FILE_MIB * MIB)
      const exported = await drain(`${rpc.url}/api/v0/dag/export?arg=${cid}`, 'POST')
      // the same CAR either way: roots [cid], depth first, each block once
      expect(exported.sha256).toBe(car.sha256)
    } finally {
      clearInterval(sampler)
    }
    expect(peak - baseline, `RSS grew by ${((peak - baseline) / MIB).toFixed(0)} MiB`).toBeLessThan(BUDGET)
  }, 120_000)
})
