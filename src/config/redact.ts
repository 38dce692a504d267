/**
 * The configuration as it may be shown (`ipfs-kit config show`): the value of
 * every field whose key contains `key`, `token`, `secret` or `password`
 * (`api.auth_token`, `backends.filecoin.api_key`, …), at any depth, replaced
 * by REDACTED. One exception: `node.swarm_key` given as the path of its file
 * is shown (it is where the key is, not the key); the key text itself is not.
 */
import { SWARM_KEY_HEADER } from './swarm-key.ts'
import type { KitConfig } from './schema.ts'

export const REDACTED = '<redacted>'

/** Key names whose values are secrets. */
const SECRET_KEY = /key|token|secret|password/i

export function redactSecrets (config: KitConfig): KitConfig {
  return redact(config, []) as KitConfig
}

function redact (value: unknown, keyPath: string[]): unknown {
  if (Array.isArray(value)) return value.map(item => redact(item, keyPath))
  if (value == null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) {
    const at = [...keyPath, key]
    out[key] = SECRET_KEY.test(key) && !isShowable(at, field) ? hide(field) : redact(field, at)
  }
  return out
}

/** An unset secret (null, '') stays visible as unset; anything else, a string or a whole subtree, is hidden. */
function hide (field: unknown): unknown {
  return field == null || field === '' ? field : REDACTED
}

function isShowable (keyPath: string[], field: unknown): boolean {
  return keyPath.join('.') === 'ipfs_kit.node.swarm_key' && typeof field === 'string' && !field.includes(SWARM_KEY_HEADER)
}
