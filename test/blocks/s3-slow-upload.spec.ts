/**
 * A pack upload over a slow link: an upload has no overall deadline, only one
 * of silence, so a pack that takes longer than the answer deadline to send
 * still lands, while an endpoint that takes nothing fails with
 * S3UnavailableError. The link is a throttling TCP proxy in front of s3rver.
 */
import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3Objects } from '../../src/blocks/s3-objects.ts'
import { S3RVER_KEY, S3Server } from '../fixtures/s3-server.ts'
import { Sandbox } from '../fixtures/sandbox.ts'

const MiB = 1024 * 1024

/** A TCP proxy to `port` passing at most `bytesPerSecond` upstream (0: it accepts and passes nothing). */
async function throttle (port: number, bytesPerSecond: number): Promise<{ port: number, close: () => void }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer(client => {
    sockets.add(client)
    if (bytesPerSecond === 0) { client.pause(); return }
    const upstream = net.connect(port, '127.0.0.1')
    sockets.add(upstream)
    upstream.pipe(client)
    client.on('data', chunk => {
      client.pause()
      upstream.write(chunk)
      setTimeout(() => { client.resume() }, chunk.byteLength / bytesPerSecond * 1000)
    })
    client.on('end', () => upstream.end())
    const drop = (): void => { client.destroy(); upstream.destroy() }
    client.on('error', drop)
    upstream.on('error', drop)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => { for (const s of sockets) s.destroy(); server.close() }
  }
}

describe('S3 pack uploads over a slow link', () => {
  const sandbox = new Sandbox()
  let s3: S3Server
  let file: string
  let md5: string
  const SIZE = 16 * MiB

  beforeAll(async () => {
    s3 = await new S3Server(await sandbox.dir()).start()
    file = join(await sandbox.dir(), 'pack.car')
    const bytes = randomBytes(SIZE)
    md5 = createHash('md5').update(bytes).digest('base64')
    await writeFile(file, bytes)
  })

  afterAll(async () => {
    await s3.stop()
    await sandbox.cleanup()
  })

  const objects = (port: number, deadlineMs: number, silenceMs: number): S3Objects => new S3Objects({
    bucket: s3.bucket, region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY, forcePathStyle: true, deadlineMs, silenceMs
  })

  it('uploads a pack that takes several deadlines to send', async () => {
    const link = await throttle(Number(new URL(s3.endpoint).port), 8 * MiB)
    // silence allowed: what loopback's socket buffers (several MB) take to drain at 8 MiB/s, and more
    const client = objects(link.port, 700, 5000)
    try {
      const started = Date.now()
      await client.putFile('slow/pack.car', file, SIZE, md5)
      // the upload outlasted the deadline twice over: a deadline on the whole call would have cut it
      expect(Date.now() - started).toBeGreaterThan(2 * 700)
      const head = await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'slow/pack.car' }))
      expect(head.ContentLength).toBe(SIZE)
    } finally {
      client.destroy()
      link.close()
    }
  }, 30_000)

  it('fails an upload the endpoint takes nothing of with S3UnavailableError', async () => {
    const link = await throttle(Number(new URL(s3.endpoint).port), 0)
    const client = objects(link.port, 500, 500)
    try {
      const started = Date.now()
      await expect(client.putFile('dead/pack.car', file, SIZE, md5)).rejects.toMatchObject({ name: 'S3UnavailableError', message: expect.stringContaining(`127.0.0.1:${link.port}`) })
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      client.destroy()
      link.close()
    }
  }, 30_000)
})
