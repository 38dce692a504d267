/** Loading `ipfs-kit.yaml`: embedded defaults ← user file ← options, then `${VAR}`/`~` expansion and validation. */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { parse } from 'yaml'
import { ConfigError } from '../errors.ts'
import { packageFile } from '../package-root.ts'
import { resolveDataDir } from './paths.ts'
import { configSchema } from './schema.ts'
import type { KitConfig, KitConfigInput } from './schema.ts'
import type { z } from 'zod'

/** Path of the embedded default configuration shipped with the package. */
export const DEFAULT_CONFIG_PATH = packageFile('config', 'ipfs-kit.yaml')

export interface LoadConfigOptions {
  /** A YAML file to merge over the embedded defaults. */
  file?: string
  /** Values merged over the file (same shape as the file). */
  overrides?: KitConfigInput
  /** Environment for `${VAR}` expansion. @default process.env */
  env?: NodeJS.ProcessEnv
  /** The data directory chosen by the caller (`--data-dir`); `${cache_dir}` expands to the resolved directory. */
  dataDir?: string
}

/**
 * Load and validate the configuration.
 *
 * @example
 * const config = loadConfig({ file: 'cluster.yaml' })
 * config.ipfs_kit.performance.max_cache_size // bytes
 */
export function loadConfig (options: LoadConfigOptions = {}): KitConfig {
  let merged = readYaml(DEFAULT_CONFIG_PATH)
  if (options.file != null) {
    merged = deepMerge(merged, readYaml(options.file))
  }
  if (options.overrides != null) {
    merged = deepMerge(merged, options.overrides)
  }
  const env = options.env ?? process.env
  // cache_dir may itself hold ${VAR} or ~: expand it before it becomes ${cache_dir}
  const cacheDir = resolveDataDir(options.dataDir, expand(findCacheDir(merged), env, '') as string | undefined, env)
  const result = configSchema.safeParse(expand(merged, env, cacheDir), { reportInput: true })
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new ConfigError(`invalid config${options.file != null ? ` (${options.file})` : ''}: ${describeIssue(issue)}`)
  }
  return result.data
}

function readYaml (file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err: any) {
    throw new ConfigError(`cannot read config file ${file}: ${err.code ?? err.message}`, { cause: err })
  }
  try {
    return parse(text) ?? {}
  } catch (err: any) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${String(err.message).split('\n')[0]}`, { cause: err })
  }
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Objects merge key by key; anything else (arrays included) is replaced. */
export function deepMerge (base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) {
    return over === undefined ? base : over
  }
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    out[key] = deepMerge(base[key], value)
  }
  return out
}

function findCacheDir (config: unknown): string | undefined {
  if (isPlainObject(config) && isPlainObject(config.ipfs_kit) && typeof config.ipfs_kit.cache_dir === 'string') {
    return config.ipfs_kit.cache_dir
  }
  return undefined
}

/** Expand `${VAR}` (environment; `${cache_dir}` from the config) and a leading `~` in every string. */
function expand (value: unknown, env: NodeJS.ProcessEnv, cacheDir: string): unknown {
  if (typeof value === 'string') {
    const replaced = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      if (name === 'cache_dir') return cacheDir
      return env[name] ?? ''
    })
    return replaced === '~' || replaced.startsWith('~/') ? homedir() + replaced.slice(1) : replaced
  }
  if (Array.isArray(value)) return value.map(v => expand(v, env, cacheDir))
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, env, cacheDir)]))
  }
  return value
}

function describeIssue (issue: z.core.$ZodIssue | undefined): string {
  if (issue == null) return 'unknown problem'
  const path = issue.path.map(String).join('.')
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map(key => `${path === '' ? '' : path + '.'}${key}: unknown key`).join('; ')
    case 'invalid_type':
      return `${path}: expected ${issue.expected}${issue.input === undefined ? ' (missing)' : `, got ${describeValue(issue.input)}`}`
    default:
      return `${path}: ${issue.message}`
  }
}

function describeValue (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}
