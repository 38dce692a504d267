/**
 * `add` and `cat` over the RPC API stream: a file larger than the memory we
 * would spend on it goes up and comes back without being held whole.
 *
 * The upload goes through node:http rather than kubo-rpc-client: the client's
 * fetch (undici) keeps a streamed request body's chunks until its keep-alive
 * connection closes, which in one process would be counted against the server.
 */
import { createHash } from 'node:crypto'
import http from 'node:http'
import { create } from 'kubo-rpc-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { MIB, patternBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

const FILE_MIB = 256
/** Peak RSS growth allowed while the file goes up and comes back: well under the file's size. */
const BUDGET = 160 * MIB
const BOUNDARY = 'ipfs-kit-test-boundary'

/** POST a multipart upload of `content` with back-pressure; resolves to the response body. */
async function upload (url: string, content: AsyncIterable<Uint8Array>): Promise<string> {
  const { hostname, port } = new URL(url)
  return await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: 'POST', path: '/api/v0/add', headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` } }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve(text) })
      res.on('error', reject)
    })
    req.on('error', reject)
    void (async () => {
      req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`)
      for await (const chunk of content) {
        if (!req.write(chunk)) await new Promise(resolve => req.once('drain', resolve))
      }
      req.end(`\r\n--${BOUNDARY}--\r\n`)
    })().catch(reject)
  })
}

describe('RPC streaming', () => {
  it(`adds and cats ${FILE_MIB} MiB holding less than ${BUDGET / MIB} MiB more memory`, async () => {
    const kit = await sandbox.kit({ config: { ipfs_kit: { performance: { memory_cache_size: 0 } } } })
    // no hot tier: this measures streaming; the hot tier's memory (performance.memory_cache_size) is spent on purpose and bounded in test/storage/tiers.spec.ts
    const server = createRpcServer(kit, { port: 0 })
    await server.start()
    try {
      const sent = createHash('sha256')
      async function * content (): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < FILE_MIB; i++) {
          const chunk = patternBytes(MIB, i + 1)
          sent.update(chunk)
          yield chunk
        }
      }
      const baseline = process.memoryUsage().rss
      let peak = baseline
      const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
      try {
        const added = JSON.parse(await upload(server.url, content())) as { Name: string, Hash: string, Size: string }
        expect(added.Name).toBe('big.bin')
        expect(Number(added.Size)).toBeGreaterThan(FILE_MIB * MIB)
        const received = createHash('sha256')
        let bytes = 0
        for await (const chunk of create({ url: server.url }).cat(added.Hash)) {
          received.update(chunk)
          bytes += chunk.byteLength
        }
        expect(bytes).toBe(FILE_MIB * MIB)
        expect(received.digest('hex')).toBe(sent.digest('hex'))
      } finally {
        clearInterval(sampler)
      }
      expect(peak - baseline, `RSS grew by ${((peak - baseline) / MIB).toFixed(0)} MiB`).toBeLessThan(BUDGET)
    } finally {
      await server.stop()
    }
  }, 120_000)
})
