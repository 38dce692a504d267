/**
 * Model names, revisions and file paths, checked before they touch the
 * filesystem or a DHT key. Names follow Hugging Face's `org/name`; a path
 * must stay inside its directory whatever OS it lands on.
 */
import { InvalidModelNameError, UnsafePathError } from '../errors.ts'

/** One part of a Hugging Face repo id: starts with a letter or digit; letters, digits, `-`, `_`, `.`; at most 96 characters. */
const PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/

/** Default revision, as on the Hugging Face hub. */
export const DEFAULT_REVISION = 'main'

/** @throws InvalidModelNameError unless `name` is `org/name` */
export function assertModelName (name: string): void {
  if (typeof name !== 'string') throw new InvalidModelNameError(String(name), 'not a string')
  const parts = name.split('/')
  if (parts.length !== 2) throw new InvalidModelNameError(name, 'expected exactly one / (org/name)')
  for (const part of parts) {
    if (!PART.test(part)) throw new InvalidModelNameError(name, `"${part}" must start with a letter or digit and use only letters, digits, - _ .`)
    if (part.includes('..')) throw new InvalidModelNameError(name, '".." is not allowed')
    // the Hugging Face cache folder is models--org--name: acme--x/y and acme/x--y would share one
    if (part.includes('--')) throw new InvalidModelNameError(name, '"--" is not allowed (it separates org and name in the Hugging Face cache folder)')
  }
}

/** @throws InvalidModelNameError unless `revision` is a plain branch or tag name (no slashes) */
export function assertRevision (revision: string): void {
  if (typeof revision !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(revision) || revision.includes('..')) {
    throw new InvalidModelNameError(String(revision), 'a revision is a name like main or v1.0 (letters, digits, - _ .)')
  }
}

/** Names Windows reserves for devices, with or without an extension (`nul.txt` opens the device). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i

/**
 * A relative file path that stays inside its directory: forward slashes,
 * no empty, `.` or `..` segment, not absolute, no backslash, no NUL, no
 * control characters, no Windows drive letter — and that lands as itself on
 * Windows too: no `:` (an alternate data stream), no segment ending in a dot
 * or space (Windows drops them, so two paths would be one file), no reserved
 * device name (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`).
 *
 * @throws UnsafePathError
 */
export function assertRelativePath (path: string): void {
  if (typeof path !== 'string' || path.length === 0) throw new UnsafePathError(String(path), 'empty')
  if (path.length > 4096) throw new UnsafePathError(path, 'longer than 4096 characters')
  if (path.includes('\0')) throw new UnsafePathError(path, 'contains NUL')
  if (path.includes('\\')) throw new UnsafePathError(path, 'contains a backslash')
  if ([...path].some(ch => ch.charCodeAt(0) < 0x20)) throw new UnsafePathError(path, 'contains a control character')
  if (path.startsWith('/')) throw new UnsafePathError(path, 'absolute')
  if (/^[A-Za-z]:/.test(path)) throw new UnsafePathError(path, 'has a drive letter')
  for (const segment of path.split('/')) {
    if (segment === '') throw new UnsafePathError(path, 'has an empty segment (//)')
    if (segment === '.' || segment === '..') throw new UnsafePathError(path, `has a "${segment}" segment`)
    if (segment.includes(':')) throw new UnsafePathError(path, 'contains ":" (a drive or an alternate data stream on Windows)')
    if (/[. ]$/.test(segment)) throw new UnsafePathError(path, `segment "${segment}" ends in a dot or space, which Windows drops`)
    if (WINDOWS_RESERVED.test(segment)) throw new UnsafePathError(path, `"${segment}" is a device name on Windows`)
  }
}

/** `org/name@revision`, the key of a model revision. */
export function modelRef (name: string, revision: string): string {
  return `${name}@${revision}`
}

/** @throws InvalidModelNameError unless `org` is the org part of a model name */
export function assertOrg (org: string): void {
  assertModelName(`${String(org)}/x`)
}
