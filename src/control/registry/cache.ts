/** Operations on the inference-result cache. */
import { jsonBytes, readCapped } from '../json-bytes.ts'
import type { OperationSpec } from '../operation-spec.ts'

const key = 'cache key (at most 1024 UTF-8 bytes), e.g. a hash of the model and the prompt'

export const CACHE_OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'cachePut',
    tool: 'cache_put',
    description: 'Store a value in the inference-result cache under a key, signed by this node, and return its CID. Peers sharing the cache can read it.',
    params: ['key', 'value'],
    input: z => z.object({
      key: z.string().min(1).describe(key),
      value: z.string().describe('the value: UTF-8 text, or base64 with encoding "base64"'),
      encoding: z.enum(['utf8', 'base64']).optional().describe('how `value` is written (default utf8)'),
      ttl: z.number().int().positive().optional().describe('time to live in ms (default: config cache.default_ttl)')
    }),
    annotations: { readOnly: false, destructive: true, idempotent: true },
    wire: 'bytes',
    run: async (ops, input, { signal }) => {
      const value = input.encoding === 'base64' ? Buffer.from(input.value as string, 'base64') : Buffer.from(input.value as string, 'utf8')
      return await ops.cachePut(input.key as string, value, { ttl: input.ttl as number | undefined, signal })
    }
  },
  {
    name: 'cacheGet',
    tool: 'cache_get',
    description: 'Read the value cached under a key (here, else from peers, verified against its signed CID): `hit` false on a miss; the value as `text` (UTF-8) or `base64`, up to mcp.max_output_bytes.',
    params: ['key'],
    input: z => z.object({ key: z.string().min(1).describe(key) }),
    annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
    codec: {
      encode: value => value == null ? null : Buffer.from(value as Uint8Array).toString('base64'),
      decode: value => value == null ? undefined : new Uint8Array(Buffer.from(value as string, 'base64'))
    },
    run: async (ops, input, { signal, maxOutputBytes }) => {
      const value = await ops.cacheGet(input.key as string, { signal })
      if (value == null) return { key: input.key, hit: false }
      const { bytes, truncated } = await readCapped((async function * () { yield value })(), maxOutputBytes)
      return {
        key: input.key,
        hit: true,
        size: value.byteLength,
        ...jsonBytes(bytes),
        ...(truncated ? { truncated: true, note: `value capped at ${maxOutputBytes} bytes (mcp.max_output_bytes)` } : {})
      }
    }
  },
  {
    name: 'cacheRm',
    tool: 'cache_rm',
    description: 'Remove the cache entry under a key; false when there was none.',
    params: ['key'],
    input: z => z.object({ key: z.string().min(1).describe(key) }),
    annotations: { readOnly: false, destructive: true, idempotent: true }
  },
  {
    name: 'cacheLs',
    tool: 'cache_ls',
    description: 'List live cache entries: key, CID, size, expiry.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  {
    name: 'cacheStats',
    tool: 'cache_stats',
    description: 'Cache statistics since start: entries, bytes, hits, misses, remote hits, evictions, expirations.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  }
]
