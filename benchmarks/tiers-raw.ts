/**
 * The raw AWS SDK baseline of `npm run bench:tiers`, in its own process so the benchmark's peak
 * RSS is the kit's alone (as the server's is not counted either). One operation per run, timed
 * here, the result printed as one JSON line `{"ms":N,"bytes":N}`:
 *
 *   tiers-raw.ts <endpoint> <bucket> put <file> <key> <partSize>   multipart upload, one part at a time
 *   tiers-raw.ts <endpoint> <bucket> get <key>                       GetObject, streamed and drained
 */
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3'
import { drain } from './lib/data.ts'
import { timed } from './lib/measure.ts'

const [endpoint, bucket, op, ...args] = process.argv.slice(2) as [string, string, string, ...string[]]
const KEY = 'S3RVER'
const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: KEY, secretAccessKey: KEY }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' })
try {
  if (op === 'put') {
    const [file, key, part] = args as [string, string, string]
    const partSize = Number(part)
    const size = (await fs.stat(file)).size
    const { ms } = await timed(async () => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))
      const parts: Array<{ ETag?: string, PartNumber: number }> = []
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        const length = Math.min(partSize, size - start)
        const body = createReadStream(file, { start, end: start + length - 1, highWaterMark: 1024 * 1024 })
        const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: body, ContentLength: length }))
        parts.push({ ETag, PartNumber: n })
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }))
    })
    process.stdout.write(JSON.stringify({ ms, bytes: size }) + '\n')
  } else if (op === 'get') {
    const [key] = args as [string]
    const { ms, value } = await timed(async () => {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      return await drain(out.Body as AsyncIterable<Uint8Array>)
    })
    process.stdout.write(JSON.stringify({ ms, bytes: value }) + '\n')
  } else {
    throw new Error(`unknown operation ${op}`)
  }
} finally {
  client.destroy()
}
