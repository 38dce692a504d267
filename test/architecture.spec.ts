/**
 * The house rules of docs/DESIGN.md, checked on the source: the faces use
 * only the public library, config/ is a leaf, node/ does not import metrics/,
 * the UnixFS layer sits below storage, and a folder is entered only through
 * its index.ts.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src')
const FACES = ['http', 'control', 'mcp', 'cli']

function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

/** Each relative import of a file: the folder under src/ it lands in (or '' for a top-level file) and the path. */
function imports (file: string): Array<{ folder: string, target: string }> {
  const text = readFileSync(file, 'utf8')
  const out: Array<{ folder: string, target: string }> = []
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = relative(SRC, resolve(dirname(file), match[1] as string))
    const parts = target.split('/')
    out.push({ folder: parts.length > 1 ? parts[0] as string : '', target })
  }
  return out
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0] as string

describe('architecture', () => {
  it('the faces never reach under the library (kit.helia, kit.pins, kit.libp2p)', () => {
    const offenders = FACES.flatMap(face => sources(join(SRC, face)))
      .filter(file => /\bkit\.(helia|pins|libp2p)\b/.test(readFileSync(file, 'utf8')))
      .map(file => relative(SRC, file))
    expect(offenders).toEqual([])
  })

  it('config/ imports no other folder, node/ does not import metrics/, unixfs/ does not import storage/', () => {
    const bad: string[] = []
    for (const file of sources(SRC)) {
      const folder = folderOf(file)
      for (const { folder: to, target } of imports(file)) {
        if (to === '' || to === folder) continue
        if (folder === 'config') bad.push(`${relative(SRC, file)} -> ${target}`)
        if (folder === 'node' && to === 'metrics') bad.push(`${relative(SRC, file)} -> ${target}`)
        if ((folder === 'unixfs' || folder === 'blocks' || folder === 'pins') && to === 'storage') bad.push(`${relative(SRC, file)} -> ${target}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('the UnixFS layer lives in unixfs/, not in storage/', () => {
    const storage = readdirSync(join(SRC, 'storage'))
    for (const moved of ['importer.ts', 'file-reader.ts', 'directory.ts', 'unixfs-path.ts', 'hamt']) expect(storage).not.toContain(moved)
    expect(readdirSync(join(SRC, 'unixfs'))).toEqual(expect.arrayContaining(['importer.ts', 'file-reader.ts', 'directory.ts', 'unixfs-path.ts', 'hamt', 'index.ts']))
  })

  it('other folders enter a folder only through its index.ts (lazy CLI imports of leaf files excepted)', () => {
    // the CLI reaches a few leaf files directly so that a command through a daemon does not load the library
    const allowed = new Set(['config/paths.ts', 'config/swarm-key.ts', 'config/tags.ts', 'config/units.ts', 'models/hf-cache.ts'])
    const bad: string[] = []
    for (const file of sources(SRC)) {
      const folder = folderOf(file)
      for (const { folder: to, target } of imports(file)) {
        if (to === '' || to === folder) continue
        if (target === `${to}/index.ts` || allowed.has(target)) continue
        bad.push(`${relative(SRC, file)} -> ${target}`)
      }
    }
    expect(bad).toEqual([])
  })
})
