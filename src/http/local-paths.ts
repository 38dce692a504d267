/**
 * Which paths on the daemon's machine an RPC caller may name (a directory to
 * publish, a destination to pull into). Naming a path turns the API into a
 * way to read or write this user's files, so: never without a token (on a
 * loopback bind without one, any local user or process could ask), and with a
 * token only under `ipfs_kit.api.allowed_paths`. Checked after `realpath`, so
 * a symlink inside an allowed directory cannot point the daemon elsewhere; a
 * path that does not exist yet is judged by its nearest existing ancestor.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { RpcError } from './rpc-error.ts'

export interface LocalPathPolicyInit {
  /** The API's Bearer token; without one no call may name a local path. */
  authToken?: string
  /** Directories (absolute) under which named paths must lie (config `api.allowed_paths`). @default [] */
  allowedPaths?: readonly string[]
}

/** Resolves a caller's path to the real path the operation should use, or throws a 400/403 RpcError. */
export type LocalPathCheck = (value: string, option: string) => Promise<string>

/**
 * @example
 * const check = localPathPolicy({ authToken, allowedPaths: ['/srv/models'] })
 * const dir = await check(query.get('arg'), 'arg') // '/srv/models/llama', or 403
 */
export function localPathPolicy (init: LocalPathPolicyInit): LocalPathCheck {
  const allowed = init.allowedPaths ?? []
  return async (value, option) => {
    if (init.authToken == null) {
      throw new RpcError(403, `${option} names a path on the daemon's machine, which this API allows only with a token: set ipfs_kit.api.auth_token (clients send "Authorization: Bearer <token>") and list the directories callers may use in ipfs_kit.api.allowed_paths`)
    }
    if (value.includes('\0') || !path.isAbsolute(value)) throw new RpcError(400, `${option} must be an absolute path on the daemon's machine: ${JSON.stringify(value)}`)
    if (allowed.length === 0) {
      throw new RpcError(403, `${option} ${JSON.stringify(value)} is refused: no directory is listed in ipfs_kit.api.allowed_paths`)
    }
    const real = await realpathOfNearest(path.normalize(value))
    for (const root of allowed) {
      const realRoot = await fs.realpath(root).catch(() => undefined)
      if (realRoot != null && isInside(real, realRoot)) return real
    }
    throw new RpcError(403, `${option} ${JSON.stringify(value)} is outside ipfs_kit.api.allowed_paths (${allowed.join(', ')})${real === value ? '' : ` once resolved (${real})`}`)
  }
}

/**
 * `realpath` of `target`, or of its nearest existing ancestor with the missing segments appended
 * (RpcError 400 when that fails otherwise than by a missing segment).
 */
export async function realpathOfNearest (target: string): Promise<string> {
  const missing: string[] = []
  let current = target
  for (;;) {
    try {
      return path.join(await fs.realpath(current), ...missing.reverse())
    } catch (err: any) {
      const parent = path.dirname(current)
      if (err.code !== 'ENOENT' || parent === current) throw new RpcError(400, `cannot resolve ${JSON.stringify(target)}: ${err.code ?? err.message}`)
      missing.push(path.basename(current))
      current = parent
    }
  }
}

/** `child` is `root` or lies under it (both absolute and resolved). */
export function isInside (child: string, root: string): boolean {
  const rel = path.relative(root, child)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}
