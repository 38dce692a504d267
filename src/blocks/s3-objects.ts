/**
 * The few S3 calls the cold tier makes, through `@aws-sdk/client-s3`, each
 * under a deadline, with the SDK's failures turned into two named errors: the
 * bucket refused us (403, bad or missing credentials: S3AccessDeniedError) or
 * did not answer (S3UnavailableError, naming the endpoint). A missing object
 * is `undefined`, never confused with either.
 *
 * Checksums: the client sends and checks the SDK's flexible checksums only
 * when an operation requires them (`WHEN_REQUIRED`). The default (a CRC32
 * trailer on every upload) is refused by S3-compatible servers such as s3rver
 * and older MinIO/Ceph, and adds nothing here: uploads carry Content-MD5,
 * which every S3 server checks, and every block read back is hashed against
 * its CID anyway.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { pipeline, Readable, Transform } from 'node:stream'
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { S3ClientConfig } from '@aws-sdk/client-s3'
import { logger } from '@libp2p/logger'
import { COLD_CONNECT_TIMEOUT_MS, COLD_REQUEST_DEADLINE_MS, COLD_SOCKET_TIMEOUT_MS } from '../constants.ts'
import { S3AccessDeniedError, S3UnavailableError } from '../errors.ts'
import { assembleBlocks } from './run-blocks.ts'
import { directGet } from './s3-direct-get.ts'
import { directPut } from './s3-direct-put.ts'
import type { RunSpan } from './run-blocks.ts'
import type { SignedGet } from './s3-direct-get.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface S3ObjectsInit {
  bucket: string
  region: string
  /** An S3-compatible endpoint (MinIO, R2, s3rver …); empty: AWS's own for the region. */
  endpoint?: string
  /** Both empty: the SDK's default credential chain (environment, profile, instance role …). */
  accessKeyId?: string
  secretAccessKey?: string
  forcePathStyle?: boolean
  /** Longest wait for an answer to one call, retries included. @default COLD_REQUEST_DEADLINE_MS */
  deadlineMs?: number
  /** Longest time a pack upload may go without the connection taking a byte. @default COLD_SOCKET_TIMEOUT_MS */
  silenceMs?: number
}

/** Counts of requests made, by kind (the benchmark's requests per GiB). */
export interface S3RequestCounts { get: number, put: number, list: number, delete: number }

export class S3Objects {
  readonly bucket: string
  /** What error messages name: the endpoint, or `s3.<region>.amazonaws.com`. */
  readonly endpoint: string
  readonly requests: S3RequestCounts = { get: 0, put: 0, list: 0, delete: 0 }
  private readonly client: S3Client
  /** Signs the ranged GETs and pack PUTs that directGet and directPut send themselves (plain-HTTP endpoints only); undefined otherwise. */
  private readonly signer: S3Client | undefined
  /** False once a server answered a direct GET with something else than a plain 206 (then the SDK reads). */
  private direct = true
  /** False once a server answered a direct PUT with something else than a plain 200 (then the SDK uploads). */
  private directPuts = true
  private readonly deadlineMs: number
  private readonly silenceMs: number

  constructor (init: S3ObjectsInit) {
    this.bucket = init.bucket
    this.endpoint = init.endpoint != null && init.endpoint !== '' ? init.endpoint : `https://s3.${init.region}.amazonaws.com`
    this.deadlineMs = init.deadlineMs ?? COLD_REQUEST_DEADLINE_MS
    this.silenceMs = init.silenceMs ?? COLD_SOCKET_TIMEOUT_MS
    const keys = init.accessKeyId != null && init.accessKeyId !== '' && init.secretAccessKey != null && init.secretAccessKey !== ''
    const config: S3ClientConfig = {
      region: init.region,
      endpoint: init.endpoint != null && init.endpoint !== '' ? init.endpoint : undefined,
      forcePathStyle: init.forcePathStyle,
      credentials: keys ? { accessKeyId: init.accessKeyId as string, secretAccessKey: init.secretAccessKey as string } : undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: COLD_CONNECT_TIMEOUT_MS, requestTimeout: COLD_SOCKET_TIMEOUT_MS },
      // the SDK's own notes go to the debug log (without a logger it warns on the console when a
      // streamed upload fails, which putFile retries and reports itself)
      logger: SDK_LOG
    }
    this.client = new S3Client(config)
    // the same client, but its "transport" hands the signed request back instead of sending it
    this.signer = this.endpoint.startsWith('http://') ? new S3Client({ ...config, requestHandler: CAPTURE as unknown as S3ClientConfig['requestHandler'] }) : undefined
  }

  /** Upload a whole object with its Content-MD5 (the server refuses it if damaged on the way). */
  async put (key: string, body: Uint8Array, options: AbortOptions = {}): Promise<void> {
    this.requests.put++
    const md5 = createHash('md5').update(body).digest('base64')
    await this.call(key, options, async abortSignal => await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength, ContentMD5: md5 }), { abortSignal }))
  }

  /**
   * Upload a file as one object, streamed (never whole in memory), with its Content-MD5. The SDK
   * does not retry a streamed body, so this does: up to PUT_FILE_ATTEMPTS when the server did not
   * answer or failed (never on a refusal), each attempt reading the file afresh. On a plain-HTTP
   * endpoint the first attempt writes the body from reused buffers on a socket of its own
   * (s3-direct-put.ts); any other answer than a plain 200, and every retry, go through the SDK.
   */
  async putFile (key: string, file: string, size: number, md5: string, options: AbortOptions = {}): Promise<void> {
    if (this.signer != null && this.directPuts) {
      try {
        const request = await this.signed(key, new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Readable.from([]), ContentLength: size, ContentMD5: md5 }), options)
        this.requests.put++
        await directPut(request, { file, size, endpoint: this.endpoint, connectTimeoutMs: COLD_CONNECT_TIMEOUT_MS, silenceMs: this.silenceMs, signal: options.signal })
        return
      } catch (err: any) {
        options.signal?.throwIfAborted()
        if (err.name === 'S3AccessDeniedError') throw err
        // the SDK asks again, and names what went wrong; a server that does not answer a plain 200 once gets the SDK's uploads from now on
        sdkLog('direct PUT of %s: %s; uploading through the SDK', key, err.message)
        if (err.name === 'NotDirectError' && !/answered (4|5)\d\d/.test(err.message)) this.directPuts = false
      }
    }
    await this.putStreamed(key, file, size, md5, options)
  }

  /** putFile through the SDK: the file streamed as the body. */
  private async putStreamed (key: string, file: string, size: number, md5: string, options: AbortOptions): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.requests.put++
      // no deadline on the whole upload (a 64 MiB pack over a slow link takes minutes) but one of
      // silence: every chunk the connection takes restarts it. It is the socket timeout, not the
      // answer deadline, because the socket buffers hold megabytes that drain silently at link speed
      const idle = new AbortController()
      let timer = setTimeout(() => { idle.abort() }, this.silenceMs)
      const body = new Transform({
        transform: (chunk, _encoding, done) => {
          clearTimeout(timer)
          timer = setTimeout(() => { idle.abort() }, this.silenceMs)
          done(null, chunk)
        }
      })
      pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), body, () => {})
      try {
        await this.call(key, options, async abortSignal => await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: size, ContentMD5: md5 }), { abortSignal }), idle.signal)
        return
      } catch (err: any) {
        if (attempt >= PUT_FILE_ATTEMPTS || err.name !== 'S3UnavailableError') throw err
      } finally {
        clearTimeout(timer)
        body.destroy()
      }
    }
  }

  /** Bytes `[start, end)` of an object (the whole object without a range), or undefined when it does not exist. */
  async get (key: string, range?: { start: number, end: number }, options: AbortOptions = {}): Promise<Uint8Array | undefined> {
    this.requests.get++
    return await this.call(key, options, async abortSignal => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range == null ? undefined : `bytes=${range.start}-${range.end - 1}` }), { abortSignal })
        if (out.Body == null) return new Uint8Array(0)
        return await out.Body.transformToByteArray()
      } catch (err: any) {
        if (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) return undefined
        throw err
      }
    })
  }

  /**
   * Bytes `[start, end)` of an object as they arrive, or undefined when it does not exist. The
   * deadline covers the answer's headers; the body then streams as fast as it comes (a stalled
   * connection is cut after COLD_SOCKET_TIMEOUT_MS of silence).
   */
  async stream (key: string, range: { start: number, end: number }, options: AbortOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.requests.get++
    options.signal?.throwIfAborted()
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort() }, this.deadlineMs)
    const onAbort = (): void => { controller.abort() }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${range.start}-${range.end - 1}` }), { abortSignal: controller.signal })
      return (out.Body ?? (async function * () {})()) as AsyncIterable<Uint8Array>
    } catch (err: any) {
      options.signal?.throwIfAborted()
      if (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) return undefined
      throw this.translate(key, err, controller.signal.aborted)
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  /**
   * The blocks `spans` of an object's bytes `[start, end)`, each as one buffer, in order, as they
   * arrive; undefined when the object does not exist. On a plain-HTTP endpoint the body is read
   * from the socket straight into the blocks (s3-direct-get.ts: no socket chunks, no copy);
   * otherwise, or when the server's answer is not a plain 206, through the SDK (stream()).
   */
  async streamBlocks (key: string, range: { start: number, end: number }, spans: RunSpan[], options: AbortOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    if (this.signer != null && this.direct) {
      const began = Date.now()
      const request = await this.signed(key, new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${range.start}-${range.end - 1}` }), options)
      try {
        this.requests.get++
        // one deadline for signing (credentials) and the answer's head, as the SDK's send has
        const deadlineMs = Math.max(1, this.deadlineMs - (Date.now() - began))
        return await directGet(request, { ...range, blocks: spans, endpoint: this.endpoint, connectTimeoutMs: COLD_CONNECT_TIMEOUT_MS, deadlineMs, silenceMs: COLD_SOCKET_TIMEOUT_MS, signal: options.signal })
      } catch (err: any) {
        options.signal?.throwIfAborted()
        if (err.name !== 'NotDirectError') throw err
        // the server answered otherwise (an error, a redirect, chunked framing): the SDK asks again and
        // names the error; a server that does not answer plainly once is read through the SDK from now on
        sdkLog('direct GET of %s: %s; reading through the SDK', key, err.message)
        if (!/answered (4|5)\d\d/.test(err.message)) this.direct = false
      }
    }
    const body = await this.stream(key, range, options)
    return body == null ? undefined : assembleBlocks(body, range.start, spans)
  }

  /** The SDK's signed request of a GetObject or PutObject command (credentials resolved, not sent). */
  private async signed (key: string, command: GetObjectCommand | PutObjectCommand, options: AbortOptions): Promise<SignedGet> {
    // credentials may come from a provider that asks the network (the default chain): under the deadline
    const deadline = AbortSignal.timeout(this.deadlineMs)
    try {
      // the two commands' send overloads differ only in their output type
      await (this.signer as S3Client).send(command as GetObjectCommand, { abortSignal: options.signal == null ? deadline : AbortSignal.any([options.signal, deadline]) })
    } catch (err: any) {
      if (err instanceof SignedRequest) return err.request
      options.signal?.throwIfAborted()
      throw this.translate(key, err, deadline.aborted)
    }
    throw new Error('the signing client sent a request')
  }

  /** Every key under `prefix` (one LIST request per 1,000). */
  async * list (prefix: string, options: AbortOptions = {}): AsyncGenerator<string> {
    let token: string | undefined
    do {
      this.requests.list++
      const page = await this.call(prefix, options, async abortSignal => await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal }))
      for (const item of page.Contents ?? []) if (item.Key != null) yield item.Key
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token != null)
  }

  async delete (key: string, options: AbortOptions = {}): Promise<void> {
    this.requests.delete++
    await this.call(key, options, async abortSignal => await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }))
  }

  destroy (): void {
    this.client.destroy()
    this.signer?.destroy()
  }

  /** Run one SDK call under the deadline (or `deadline`, a caller's own), translating its failures. */
  private async call<T> (key: string, options: AbortOptions, fn: (signal: AbortSignal) => Promise<T>, deadline: AbortSignal = AbortSignal.timeout(this.deadlineMs)): Promise<T> {
    options.signal?.throwIfAborted()
    const signal = options.signal == null ? deadline : AbortSignal.any([options.signal, deadline])
    try {
      return await fn(signal)
    } catch (err: any) {
      options.signal?.throwIfAborted()
      throw this.translate(key, err, deadline.aborted)
    }
  }

  private translate (key: string, err: any, timedOut: boolean): Error {
    const status: number | undefined = err?.$metadata?.httpStatusCode
    const where = `s3://${this.bucket}/${key} at ${this.endpoint}`
    if (status === 401 || status === 403 || ACCESS_ERRORS.has(err?.name) || err?.name === 'CredentialsProviderError') {
      return new S3AccessDeniedError(where, `${err?.name ?? 'Error'}: ${firstLine(err?.message)}`, { cause: err })
    }
    if (timedOut) return new S3UnavailableError(this.endpoint, `no answer within ${this.deadlineMs} ms (an upload: no byte taken for ${this.silenceMs} ms)`, { cause: err })
    if (status == null || status >= 500 || status === 429) return new S3UnavailableError(this.endpoint, `${err?.code ?? err?.name ?? 'Error'}: ${firstLine(err?.message)}`, { cause: err })
    return new S3UnavailableError(this.endpoint, `${where} answered ${status} ${err?.name ?? ''}: ${firstLine(err?.message)}`.trim(), { cause: err })
  }
}

const sdkLog = logger('ipfs-kit:s3')
const SDK_LOG = { trace: sdkLog.trace, debug: sdkLog, info: sdkLog, warn: sdkLog, error: sdkLog.error }

/** Attempts of one streamed upload (the SDK's own default for other calls is 3). */
const PUT_FILE_ATTEMPTS = 3

/** Thrown by CAPTURE: the request the SDK built and signed. */
class SignedRequest extends Error {
  override readonly name = 'SignedRequest'
  constructor (readonly request: SignedGet) { super('signed') }
}

/** An SDK "request handler" that sends nothing: the signer client's send rejects with the signed request. */
const CAPTURE = {
  handle: async (request: SignedGet): Promise<never> => { throw new SignedRequest(request) },
  updateHttpClientConfig: () => {},
  httpHandlerConfigs: () => ({})
}

const ACCESS_ERRORS = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'AllAccessDisabled', 'NoSuchBucket'])

function firstLine (message: unknown): string {
  return String(message ?? '').split('\n')[0] ?? ''
}
