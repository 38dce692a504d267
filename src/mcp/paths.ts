/**
 * Which paths on this machine a tool may name (a file to add, a model
 * directory to publish, a destination to pull or save into). Over stdio the
 * server runs as the user who started it, from a directory they chose: tools
 * may name paths under `mcp.allowed_paths`, by default that working
 * directory, but never the whole filesystem or the whole home directory. Over
 * HTTP the RPC API's rule applies (token and `api.allowed_paths`). Checked
 * after `realpath`, as the API does, so a symlink cannot lead outside.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PathNotAllowedError } from '../errors.ts'
import { isInside, realpathOfNearest } from '../http/index.ts'
import type { LocalPathCheck } from '../http/index.ts'

/** Resolves a tool's path argument to the real path the operation uses, or throws PathNotAllowedError. */
export type PathCheck = (value: string, field: string) => Promise<string>

export interface StdioPathPolicyInit {
  /** Config `mcp.allowed_paths` (absolute); empty: `cwd`. */
  allowedPaths: readonly string[]
  /** Where relative paths start, and the default root. @default process.cwd() */
  cwd?: string
  /** The user's home directory, never a root by itself. @default os.homedir() */
  home?: string
}

/**
 * @example
 * const check = stdioPathPolicy({ allowedPaths: [] }) // under the working directory
 * await check('weights/model.bin', 'path') // '/work/project/weights/model.bin'
 */
export function stdioPathPolicy (init: StdioPathPolicyInit): PathCheck {
  const cwd = init.cwd ?? process.cwd()
  const roots = init.allowedPaths.length > 0 ? init.allowedPaths : [cwd]
  const configured = init.allowedPaths.length > 0
  let realRoots: Promise<string[]> | undefined
  const resolveRoots = async (): Promise<string[]> => {
    const home = await fs.realpath(init.home ?? os.homedir()).catch(() => undefined)
    const out: string[] = []
    for (const root of roots) {
      const real = await fs.realpath(root).catch(() => undefined)
      // the whole filesystem or the whole home directory is no boundary at all
      if (real != null && real !== path.parse(real).root && real !== home) out.push(real)
    }
    return out
  }
  return async (value, field) => {
    if (value.includes('\0')) throw new PathNotAllowedError(`${field} contains NUL`)
    const allowed = await (realRoots ??= resolveRoots())
    const where = configured ? `ipfs_kit.mcp.allowed_paths (${roots.join(', ')})` : `the server's working directory (${cwd})`
    if (allowed.length === 0) {
      throw new PathNotAllowedError(`${field} ${JSON.stringify(value)} is refused: no path is allowed, since ${where} is / or the home directory itself (or does not exist)`,
        'start the MCP server from a project directory, or list directories in ipfs_kit.mcp.allowed_paths')
    }
    let real: string
    try {
      real = await realpathOfNearest(path.resolve(cwd, value))
    } catch (err: any) {
      throw new PathNotAllowedError(`${field} ${JSON.stringify(value)} cannot be resolved: ${String(err.message)}`)
    }
    if (allowed.some(root => isInside(real, root))) return real
    throw new PathNotAllowedError(`${field} ${JSON.stringify(value)} is outside ${where}${real === value ? '' : ` once resolved (${real})`}`)
  }
}

/** The RPC API's rule (a token, and `api.allowed_paths`) for `/mcp`, with its refusals as PathNotAllowedError. */
export function httpPathPolicy (check: LocalPathCheck): PathCheck {
  return async (value, field) => {
    try {
      return await check(value, field)
    } catch (err: any) {
      if (err?.name !== 'RpcError') throw err
      throw new PathNotAllowedError(String(err.message), 'over HTTP, a tool may name a path only with the API token (ipfs_kit.api.auth_token), and only under ipfs_kit.api.allowed_paths')
    }
  }
}
