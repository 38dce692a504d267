/** The shape of `ipfs-kit.yaml`, validated with zod. Keys mirror the seed plan (snake_case). */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { isAbsolute } from 'node:path'
import { z } from 'zod'
import { MIN_AUTH_TOKEN_LENGTH, SEEDING_MAX_AUTO_PIN_READS, TRANSFER_MAX_STREAMS_TOTAL } from '../constants.ts'
import { tagsProblem } from './tags.ts'
import { readSwarmKey } from './swarm-key.ts'
import { parseDuration, parseSize } from './units.ts'

const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseSize(value)
  if (parsed == null) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 10GB, 512MiB or a byte count, got ${JSON.stringify(value)}` })
    return z.NEVER
  }
  return parsed
})

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseDuration(value)
  if (parsed == null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 1h, 30m, 15s or 500ms, got ${JSON.stringify(value)}` })
    return z.NEVER
  }
  return parsed
})

const multiaddrString = z.string().superRefine((value, ctx) => {
  try {
    multiaddr(value)
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected a multiaddr like /ip4/127.0.0.1/tcp/4101, got ${JSON.stringify(value)}` })
  }
})

/** `node.tags` (config/tags.ts): at most SEEDING_MAX_TAGS short labels. */
const nodeTags = z.record(z.string(), z.string()).superRefine((value, ctx) => {
  const problem = tagsProblem(value)
  if (problem != null) ctx.addIssue({ code: 'custom', message: problem })
})

const peerIdString = z.string().superRefine((value, ctx) => {
  try {
    peerIdFromString(value)
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected a peer id like 12D3KooW…, got ${JSON.stringify(value)}` })
  }
})

// the form only (config imports no other folder); trust/ decodes the key when it uses one
const publisherIdString = z.string().superRefine((value, ctx) => {
  if (!/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/.test(value)) ctx.addIssue({ code: 'custom', message: `expected a publisher id like did:key:z6Mk… (ipfs-kit id --json prints it), got ${JSON.stringify(value)}` })
})

// read at load, so `config validate` catches a missing or malformed key file
const swarmKey = z.string().min(1, 'expected a swarm key file path or the key text, got an empty string (an unset ${VAR}?)').superRefine((value, ctx) => {
  try {
    readSwarmKey(value)
  } catch (err: any) {
    ctx.addIssue({ code: 'custom', message: err.message })
  }
})

export const configSchema = z.strictObject({
  ipfs_kit: z.strictObject({
    enabled: z.boolean(),
    force_fallback: z.boolean(),
    cache_dir: z.string().min(1).nullable(),
    backends: z.strictObject({
      local: z.strictObject({ enabled: z.boolean(), path: z.string() }),
      ipfs: z.strictObject({ enabled: z.boolean(), api_endpoint: z.string(), gateway: z.string() }),
      // FilecoinAdapter (src/blocks/filecoin-adapter.ts) is an interface only: no adapter ships
      filecoin: z.strictObject({ enabled: z.boolean().refine(on => !on, 'no Filecoin adapter is available (ipfs-kit documents the FilecoinAdapter interface but ships none); set it to false'), provider: z.string(), api_key: z.string() }),
      s3: z.strictObject({
        enabled: z.boolean(),
        bucket: z.string(),
        region: z.string(),
        endpoint: z.string().refine(v => v === '' || /^https?:\/\/[^\s/]+/.test(v), 'expected an http(s) URL like http://127.0.0.1:9000, or "" for AWS'),
        access_key_id: z.string(),
        secret_access_key: z.string(),
        force_path_style: z.boolean(),
        prefix: z.string().refine(v => v === '' || (v.endsWith('/') && !v.startsWith('/')), 'expected "" or a key prefix ending in / (like ipfs-kit/)'),
        pack_size: size.refine(n => n >= 1024 * 1024 && n <= 5 * 1024 ** 3, 'expected a size between 1MiB and 5GiB (S3\'s largest single PUT)')
      }).superRefine((s3, ctx) => {
        if (s3.enabled && s3.bucket === '') ctx.addIssue({ code: 'custom', path: ['bucket'], message: 'expected a bucket name when backends.s3.enabled is true' })
        if ((s3.access_key_id === '') !== (s3.secret_access_key === '')) ctx.addIssue({ code: 'custom', path: ['secret_access_key'], message: 'expected both access_key_id and secret_access_key, or neither (the SDK\'s default credential chain; an unset ${VAR}?)' })
      })
    }),
    storage_policy: z.strictObject({
      default_backends: z.array(z.enum(['local', 'ipfs', 's3', 'filecoin'])),
      pin_by_default: z.boolean(),
      auto_tier: z.boolean(),
      demote_after: duration.refine(ms => ms > 0, 'expected a duration over 0'),
      promote_reads: z.number().int().positive()
    }),
    performance: z.strictObject({
      max_cache_size: size,
      memory_cache_size: size,
      gc_interval: duration,
      connection_pool_size: z.number().int().positive(),
      gc_watermark: z.number().gt(0).lte(1),
      fsync: z.enum(['always', 'never'])
    }),
    api: z.strictObject({
      auth_token: z.string().min(MIN_AUTH_TOKEN_LENGTH, `expected a token of at least ${MIN_AUTH_TOKEN_LENGTH} characters (an unset \${VAR}?)`).nullable(),
      allowed_paths: z.array(z.string().refine(p => isAbsolute(p), 'expected an absolute directory path'))
    }),
    mcp: z.strictObject({
      allowed_paths: z.array(z.string().refine(p => isAbsolute(p), 'expected an absolute directory path')),
      max_output_bytes: size.refine(bytes => bytes > 0, 'expected a size over 0')
    }),
    models: z.strictObject({
      trusted_publishers: z.record(z.string().regex(/^(\*|[A-Za-z0-9][A-Za-z0-9._-]*)$/, 'expected an org name or "*"'), z.array(publisherIdString)),
      allow_unsigned: z.boolean()
    }),
    cache: z.strictObject({
      share: z.boolean(),
      max_entries: z.number().int().positive(),
      max_bytes: size,
      memory_bytes: size,
      default_ttl: duration,
      max_value_size: size,
      remote_timeout: duration,
      hinted_grace: duration,
      sweep_interval: duration.refine(ms => ms > 0, 'expected a duration over 0'),
      trusted_writers: z.array(publisherIdString).nullable()
    }),
    node: z.strictObject({
      listen: z.array(multiaddrString),
      bootstrap: z.array(multiaddrString),
      dht_protocol: z.string().regex(/^\/[^\s]+$/, 'expected a protocol id starting with /'),
      swarm_key: swarmKey.nullable(),
      allow_list: z.array(peerIdString).nullable(),
      tags: nodeTags
    }),
    transfer: z.strictObject({
      stream_max: duration.refine(ms => ms > 0, 'expected a positive duration'),
      upload_slots: z.union([z.literal('auto'), z.number().int().min(1).max(TRANSFER_MAX_STREAMS_TOTAL)]),
      versions: z.array(z.enum(['1.1.0', '1.0.0'])).min(1)
    }),
    datasets: z.strictObject({
      prefetch: z.number().int().min(0).max(64),
      max_bytes: size,
      member_grace: duration.refine(ms => ms > 0, 'expected a positive duration')
    }),
    seeding: z.strictObject({
      half_life: duration.refine(ms => ms > 0, 'expected a duration over 0'),
      auto_pin: z.boolean(),
      auto_pin_reads: z.number().int().min(1).max(SEEDING_MAX_AUTO_PIN_READS),
      auto_pin_window: duration.refine(ms => ms > 0, 'expected a duration over 0'),
      auto_unpin_after: duration.refine(ms => ms > 0, 'expected a duration over 0'),
      auto_pin_max_bytes: size,
      repin_grace: duration,
      heartbeat_interval: duration.refine(ms => ms >= 100, 'expected a duration of at least 100ms'),
      replica_max_bytes: size,
      accept_replicas: z.boolean(),
      service_replicas: z.string().regex(/^[1-9]\d?(:[1-9]\d?)?$/, 'expected N or MIN:MAX, like "3" or "2:4"').nullable()
    })
  })
})

/** The validated configuration: sizes in bytes, durations in milliseconds. */
export type KitConfig = z.output<typeof configSchema>

/** What a user may write: every key optional, at any depth. */
export type KitConfigInput = DeepPartial<z.input<typeof configSchema>>

type DeepPartial<T> = T extends Array<infer U> ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T
