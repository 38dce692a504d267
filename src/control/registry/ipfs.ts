/** Operations on content: add, read, list, pin, remove, status. */
import { InvalidInputError } from '../../errors.ts'
import { jsonBytes, readCapped } from '../json-bytes.ts'
import type { OperationSpec } from '../operation-spec.ts'
import type { BackendName } from '../../index.ts'

const cid = 'a CID, e.g. bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'

export const IPFS_OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'add',
    tool: 'ipfs_add',
    description: 'Store content and return its CID (the one Kubo gives with the unixfs-v1-2025 profile). Give exactly one of `content` (UTF-8 text), `content_base64` (bytes) or `path` (a file on the server\'s machine, under its allowed paths). Pinned content is kept by gc.',
    params: ['input'],
    input: z => z.object({
      content: z.string().optional().describe('the content as UTF-8 text'),
      content_base64: z.base64().optional().describe('the content as base64 bytes'),
      path: z.string().min(1).optional().describe('a file to import (relative paths are relative to the server\'s working directory)'),
      filename: z.string().min(1).optional().describe('name recorded in the node\'s file index'),
      pin: z.boolean().optional().describe('pin the content (default: config storage_policy.pin_by_default)'),
      backends: z.array(z.enum(['local', 'ipfs', 's3'])).min(1).optional().describe('where to store it: local disk, provide to the network, the S3 cold tier (default: config storage_policy.default_backends)')
    }),
    annotations: { readOnly: false, destructive: false, idempotent: true },
    paths: ['path'],
    progress: true,
    wire: 'bytes',
    run: async (ops, input, { signal, onProgress }) => {
      const given = ['content', 'content_base64', 'path'].filter(key => input[key] != null)
      if (given.length !== 1) throw new InvalidInputError(given.length === 0 ? 'nothing to add' : `${given.join(' and ')} given together`, 'give exactly one of content (UTF-8 text), content_base64 (bytes) or path (a file)')
      const path = input.path as string | undefined
      const bytes = typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : typeof input.content_base64 === 'string' ? Buffer.from(input.content_base64, 'base64') : undefined
      const source = path != null ? { path } : (async function * () { yield bytes ?? new Uint8Array() })()
      const filename = input.filename as string | undefined
      const result = await ops.add(source, { filename, pin: input.pin as boolean | undefined, backends: input.backends as BackendName[] | undefined, signal, onProgress })
      return { ...result, filename: filename ?? null }
    }
  },
  {
    name: 'cat',
    tool: 'ipfs_cat',
    description: 'Read a file by CID (or a byte range of it): valid UTF-8 comes back as `text`, other bytes as `base64`. At most mcp.max_output_bytes come back; `truncated` and `note` then say where to read on (`offset`). ipfs_get saves a whole file instead.',
    params: ['cid'],
    input: z => z.object({
      cid: z.string().min(1).describe(cid),
      offset: z.number().int().nonnegative().optional().describe('first byte (default 0)'),
      length: z.number().int().nonnegative().optional().describe('number of bytes (default: to the end, up to mcp.max_output_bytes)')
    }),
    annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
    wire: 'bytes',
    run: async (ops, input, { signal, maxOutputBytes }) => {
      const offset = (input.offset as number | undefined) ?? 0
      const wanted = input.length as number | undefined
      const length = wanted == null ? maxOutputBytes + 1 : Math.min(wanted, maxOutputBytes + 1)
      const { bytes, truncated } = await readCapped(ops.cat(input.cid as string, { offset, length, signal }), maxOutputBytes)
      const next = offset + bytes.byteLength
      return {
        cid: input.cid,
        offset,
        size: bytes.byteLength,
        ...jsonBytes(bytes),
        ...(truncated ? { truncated: true, note: `output capped at ${maxOutputBytes} bytes (mcp.max_output_bytes): call again with offset ${next} for the rest, or save the file with ipfs_get` } : {})
      }
    }
  },
  {
    name: 'save',
    tool: 'ipfs_get',
    description: 'Save a file by CID at `path` on the server\'s machine (under its allowed paths), whole or not at all.',
    params: ['cid', 'path'],
    input: z => z.object({
      cid: z.string().min(1).describe(cid),
      path: z.string().min(1).describe('the file to write; relative paths are relative to the server\'s working directory'),
      mode: z.number().int().min(0).max(0o777).optional().describe('file mode (default 0o644)')
    }),
    annotations: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
    paths: ['path']
  },
  {
    name: 'id',
    tool: 'ipfs_id',
    description: 'This node\'s peer id, publisher id (did:key, which signs what it publishes) and listen addresses.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  {
    name: 'ls',
    tool: 'ipfs_ls',
    description: 'List the files this node stored or fetched (the filename → CID index): CID, name, size, pinned, last access.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  {
    name: 'pinAdd',
    tool: 'ipfs_pin_add',
    description: 'Pin content by CID so that gc keeps it, fetching missing blocks from peers first. With `replicas` (N, or MIN:MAX), the cluster also keeps that many live holders. Returns false when the content is not available.',
    params: ['cid'],
    input: z => z.object({ cid: z.string().min(1).describe(cid), replicas: z.string().regex(/^\d+(:\d+)?$/).optional().describe('live holders the cluster keeps: N (exactly N) or MIN:MAX') }),
    annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: true }
  },
  {
    name: 'pinRm',
    tool: 'ipfs_pin_rm',
    description: 'Unpin content by CID; its blocks go at the next gc unless another pin holds them. Returns false when it was not pinned.',
    params: ['cid'],
    input: z => z.object({ cid: z.string().min(1).describe(cid) }),
    annotations: { readOnly: false, destructive: true, idempotent: true }
  },
  {
    name: 'pinLs',
    tool: 'ipfs_pin_ls',
    description: 'List the pins: CID, when made, how many blocks each holds, and why it is pinned (`origins`: user, auto, replica, model, dataset; a root stays pinned while one is left).',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  {
    name: 'rm',
    tool: 'ipfs_rm',
    description: 'Unpin content and delete its blocks that no other pin holds. Returns false when there was nothing to delete.',
    params: ['cid'],
    input: z => z.object({ cid: z.string().min(1).describe(cid) }),
    annotations: { readOnly: false, destructive: true, idempotent: true }
  },
  {
    name: 'gc',
    tool: 'ipfs_gc',
    description: 'Delete every block that no pin, hold or cache entry keeps; returns the blocks and bytes freed.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: false, destructive: true, idempotent: true }
  },
  {
    name: 'verify',
    tool: 'ipfs_verify',
    description: 'Hash every stored block against its CID; with `repair`, fetch corrupt and missing blocks again from peers.',
    params: [],
    input: z => z.object({ repair: z.boolean().optional().describe('fetch bad blocks again from peers') }),
    annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: true }
  },
  {
    name: 'status',
    tool: 'ipfs_status',
    description: 'The node\'s status: online or offline, peer id, peers, repository size, blocks and pins, backends.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  {
    name: 'tier',
    tool: 'ipfs_tier',
    description: 'Where a root\'s blocks are: bytes in the hot (memory), warm (local disk) and cold (S3) tiers. With `to`, first move the root there: `cold` uploads what the bucket lacks and frees the local disk, `warm` brings it back to disk, `hot` also loads it into memory.',
    params: ['cid'],
    input: z => z.object({
      cid: z.string().min(1).describe('the root CID'),
      to: z.enum(['hot', 'warm', 'cold']).optional().describe('the tier to move the root to; omit to only report')
    }),
    annotations: { readOnly: false, destructive: false, idempotent: true }
  }
]
