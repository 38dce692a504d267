/** Parsing of human sizes (`10GB`, `512MiB`) and durations (`1h`, `500ms`) used in the config file. */

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000
}

/**
 * Parse a size: a non-negative integer number of bytes, or a number with a
 * unit. KB/MB/GB/TB are decimal (as Kubo reads `StorageMax`), KiB/MiB/GiB/TiB
 * and K/M/G/T are binary. Returns `undefined` when the text is not a size.
 *
 * @example parseSize('10GB') // 10_000_000_000
 */
export function parseSize (input: string | number): number | undefined {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0 ? input : undefined
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input)
  if (match == null) return undefined
  const unit = SIZE_UNITS[(match[2] ?? '').toLowerCase()]
  if (unit == null) return undefined
  const value = Math.round(Number(match[1]) * unit)
  return Number.isSafeInteger(value) ? value : undefined
}

/**
 * Parse a duration into milliseconds: `1h`, `30m`, `15s`, `500ms`, `2d`, or a
 * plain number of milliseconds. Returns `undefined` when the text is not one.
 *
 * @example parseDuration('1h') // 3_600_000
 */
export function parseDuration (input: string | number): number | undefined {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? input : undefined
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(input)
  if (match == null) return undefined
  const unit = DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()]
  if (unit == null) return undefined
  return Math.round(Number(match[1]) * unit)
}
