/**
 * `ipfs-kit/storage/{store,ls,exists,rm}` over HTTP against an in-process kit
 * and RPC server: what the Python package's daemon mode relies on.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import { MIB, patternBytes } from '../fixtures/bytes.ts'
import { referenceCid } from '../fixtures/reference-cid.ts'
import { S3Server } from '../fixtures/s3-server.ts'
import type { RpcServer } from '../../src/http/index.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()

describe('RPC ipfs-kit/storage/*', () => {
  let kit: Kit
  let server: RpcServer

  let s3: S3Server | undefined

  afterEach(async () => {
    await server?.stop()
    await sandbox.cleanup()
    await s3?.stop()
    s3 = undefined
  })

  async function start (config?: Parameters<Sandbox['kit']>[0]): Promise<void> {
    kit = await sandbox.kit(config)
    server = createRpcServer(kit, { host: '127.0.0.1', port: 0 })
    await server.start()
  }
  async function call (command: string, query: Record<string, string>, body?: FormData): Promise<{ status: number, text: string }> {
    const res = await fetch(`${server.url}/api/v0/${command}?${new URLSearchParams(query).toString()}`, { method: 'POST', body })
    return { status: res.status, text: await res.text() }
  }
  const form = (value: Uint8Array): FormData => {
    const data = new FormData()
    data.append('file', new Blob([value]), 'ignored-part-name')
    return data
  }

  it('stores a file under a filename label with its pin, lists it, finds it by CID or filename and deletes it', async () => {
    await start()
    const bytes = patternBytes(2 * MIB + 5, 3)
    const stored = await call('ipfs-kit/storage/store', { filename: 'bert/config.json', pin: 'true' }, form(bytes))
    expect(stored.status).toBe(200)
    const cid = await referenceCid(bytes)
    expect(JSON.parse(stored.text)).toEqual({ Cid: cid, Size: bytes.byteLength, Failed: [] })
    // a label, not a path: the file itself is pinned, no directory is built
    expect(await kit.storage.listFiles()).toEqual([{ cid, filename: 'bert/config.json', size: bytes.byteLength, modified: expect.any(Number), pinned: true }])

    const ls = await call('ipfs-kit/storage/ls', {})
    expect(ls.text.trim().split('\n').map(line => JSON.parse(line))).toEqual([{ Cid: cid, Filename: 'bert/config.json', Size: bytes.byteLength, Modified: expect.any(Number), Pinned: true }])
    expect(JSON.parse((await call('ipfs-kit/storage/exists', { arg: cid })).text)).toEqual({ Exists: true, Cid: cid })
    expect(JSON.parse((await call('ipfs-kit/storage/exists', { arg: 'bert/config.json' })).text)).toEqual({ Exists: true, Cid: cid })
    expect(JSON.parse((await call('ipfs-kit/storage/exists', { arg: 'bert/other.json' })).text)).toEqual({ Exists: false, Cid: null })

    expect(JSON.parse((await call('ipfs-kit/storage/rm', { arg: cid })).text)).toEqual({ Cid: cid, Removed: true })
    expect(JSON.parse((await call('ipfs-kit/storage/rm', { arg: cid })).text)).toEqual({ Cid: cid, Removed: false })
    expect(await kit.storage.exists(cid)).toBe(false)
    expect((await call('ipfs-kit/storage/ls', {})).text).toBe('')
  })

  it('leaves the pin to storage_policy when `pin` is absent, and refuses a missing body or a bad CID with 400', async () => {
    await start()
    const stored = JSON.parse((await call('ipfs-kit/storage/store', {}, form(new TextEncoder().encode('hello world')))).text)
    expect(stored).toEqual({ Cid: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', Size: 11, Failed: [] })
    expect((await kit.storage.listFiles())[0]).toMatchObject({ filename: null, pinned: false })
    const empty = await call('ipfs-kit/storage/store', { filename: 'x' }, new FormData())
    expect(empty.status).toBe(400)
    const bad = await call('ipfs-kit/storage/rm', { arg: 'not-a-cid' })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.text)).toMatchObject({ Message: expect.stringContaining('not-a-cid'), Type: 'error' })
  })

  it('routes `backends` to the cold tier (s3 alone frees the disk), reports a failed backend in `Failed` and still stores, and refuses an unknown name with 400', async () => {
    s3 = await new S3Server(await sandbox.dir('s3rver-')).start()
    await start({ config: s3.kitConfig() })
    const bytes = patternBytes(3 * MIB, 9)
    const cid = await referenceCid(bytes)
    // repeated parameters, as Python's urlencode(doseq=True) sends a list
    const both = await fetch(`${server.url}/api/v0/ipfs-kit/storage/store?backends=local&backends=s3`, { method: 'POST', body: form(bytes) })
    expect(await both.json()).toEqual({ Cid: cid, Size: bytes.byteLength, Backends: ['local', 's3'], Failed: [] })
    const sizes = await kit.storage.tierSizes(cid)
    expect(sizes.warm).toBeGreaterThan(bytes.byteLength)
    expect(sizes.cold).toBe(sizes.warm)

    const other = patternBytes(2 * MIB, 10)
    const coldOnly = JSON.parse((await call('ipfs-kit/storage/store', { backends: 's3' }, form(other))).text)
    expect(coldOnly).toMatchObject({ Backends: ['s3'], Failed: [] })
    expect(await kit.storage.tierSizes(coldOnly.Cid)).toMatchObject({ warm: 0, cold: expect.any(Number) })
    expect((await kit.storage.tierSizes(coldOnly.Cid)).cold).toBeGreaterThan(other.byteLength)

    const bad = await call('ipfs-kit/storage/store', { backends: 'local,tape' }, form(bytes))
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.text).Message).toBe('backends must be a list of local, ipfs, s3, got "local,tape"')
  })

  it('answers a store to an s3 backend that is not enabled with the failure in `Failed`, the file kept on the local disk', async () => {
    await start()
    const bytes = patternBytes(MIB + 3, 11)
    const answer = JSON.parse((await call('ipfs-kit/storage/store', { backends: 'local,s3', filename: 'kept.bin' }, form(bytes))).text)
    expect(answer).toEqual({ Cid: await referenceCid(bytes), Size: bytes.byteLength, Backends: ['local', 's3'], Failed: [{ Backend: 's3', Error: expect.stringMatching(/^BackendDisabledError: /) }] })
    expect(await kit.storage.exists(answer.Cid)).toBe(true)
    expect((await kit.storage.status()).backendHealth.s3).toMatchObject({ enabled: false, healthy: false })
  })
})
