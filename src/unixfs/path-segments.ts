/** Splitting a UnixFS path into checked segments. */
import { UnsafePathError } from '../errors.ts'

/**
 * Split a relative path into its segments, refusing anything that could name
 * something outside the tree: `..`, `.`, empty segments, backslash, NUL.
 * One leading and one trailing `/` are accepted (Kubo strips them).
 */
export function pathSegments (path: string): string[] {
  const bare = path.replace(/^\//, '').replace(/\/$/, '')
  if (bare === '') return []
  const segments = bare.split('/')
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw new UnsafePathError(path, 'empty, . and .. segments are not allowed')
    if (segment.includes('\\') || segment.includes('\0')) throw new UnsafePathError(path, 'backslash and NUL are not allowed')
  }
  return segments
}
