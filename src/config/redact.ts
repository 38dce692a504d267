/**
 * The configuration as it may be shown (`ipfs-kit config show`): secrets
 * replaced by REDACTED. The API token always; the swarm key when it is the
 * key itself rather than the path of its file.
 */
import { SWARM_KEY_HEADER } from './swarm-key.ts'
import type { KitConfig } from './schema.ts'

export const REDACTED = '<redacted>'

export function redactSecrets (config: KitConfig): KitConfig {
  const { api, node } = config.ipfs_kit
  const inlineKey = node.swarm_key != null && node.swarm_key.includes(SWARM_KEY_HEADER)
  return {
    ...config,
    ipfs_kit: {
      ...config.ipfs_kit,
      api: { ...api, auth_token: api.auth_token == null ? null : REDACTED },
      node: { ...node, swarm_key: inlineKey ? REDACTED : node.swarm_key }
    }
  }
}
