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

/**
 * A directory link's name as one path segment: a hostile DAG can name a link
 * `..`, `../../.bashrc` or `a\b`, which a tar extractor or a filesystem would
 * follow out of the directory.
 *
 * @throws UnsafePathError for an empty name, `.`, `..`, or one with `/`, `\` or NUL
 */
export function assertLinkName (name: string): void {
  if (name === '' || name === '.' || name === '..') throw new UnsafePathError(name, 'a directory entry cannot be named "", "." or ".."')
  if (/[/\\\0]/.test(name)) throw new UnsafePathError(name, 'a directory entry name cannot contain /, \\ or NUL')
}
