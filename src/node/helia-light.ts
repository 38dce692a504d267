/**
 * `createHeliaLight` without loading the `helia` package's entry point, which
 * statically imports the whole HTTP and libp2p stack (about 90 MB of RSS and
 * 30 MB of heap, even for an offline node or a one-shot CLI command). The
 * Helia class itself is in `helia/dist/src/helia.js`; the package's exports
 * map does not list it, so it is loaded by file URL next to the entry point.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Helia } from '@helia/interface'
import type { HeliaInit } from 'helia'

const entry = createRequire(import.meta.url).resolve('helia')
const dir = path.dirname(entry)
const { Helia: HeliaClass } = await import(pathToFileURL(path.join(dir, 'helia.js')).href) as { Helia: new (init: HeliaInit & { name: string, version: string }) => Helia }
const { name, version } = await import(pathToFileURL(path.join(dir, 'version.js')).href) as { name: string, version: string }

/** Same as `helia`'s `createHeliaLight`. */
export function createHeliaLight (init: HeliaInit): Helia {
  return new HeliaClass({ name, version, ...init })
}
