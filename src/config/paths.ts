/** Where the data directory is: the seed plan's cache directory resolution. */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { CACHE_DIR_NAME, TRUTHY_ENV_VALUES } from '../constants.ts'

/**
 * Resolve the data directory: explicit option → `IPFS_ACCELERATE_CACHE_DIR` →
 * `IPFS_KIT_CACHE_DIR` → config `cache_dir` → `$XDG_CACHE_HOME/ipfs_accelerate`
 * → `~/.cache/ipfs_accelerate`. Empty values are skipped.
 */
export function resolveDataDir (explicit: string | undefined, configured: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [explicit, env.IPFS_ACCELERATE_CACHE_DIR, env.IPFS_KIT_CACHE_DIR, configured]
  for (const candidate of candidates) {
    if (candidate != null && candidate !== '') return resolve(expandHome(candidate))
  }
  if (env.XDG_CACHE_HOME != null && env.XDG_CACHE_HOME !== '') {
    return resolve(env.XDG_CACHE_HOME, CACHE_DIR_NAME)
  }
  return join(homedir(), '.cache', CACHE_DIR_NAME)
}

function expandHome (path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path
}

/** True when `IPFS_KIT_DISABLE` asks for offline mode (1, true or yes, any case). */
export function envDisablesNetwork (env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.IPFS_KIT_DISABLE
  return value != null && TRUTHY_ENV_VALUES.includes(value.trim().toLowerCase())
}
