/** Locating files shipped with the package (the embedded config), from source or from dist/. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

/** The directory holding ipfs-kit's package.json. */
export function packageRoot (): string {
  if (root != null) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  while (true) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'ipfs-kit') {
      root = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('ipfs-kit package.json not found above ' + import.meta.url)
    dir = parent
  }
}

/** A path inside the package. */
export function packageFile (...parts: string[]): string {
  return join(packageRoot(), ...parts)
}

/** The package version, from package.json. */
export function packageVersion (): string {
  return JSON.parse(readFileSync(packageFile('package.json'), 'utf8')).version
}
