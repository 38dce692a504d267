/**
 * What a CLI process pays before it reaches a daemon: every command through a
 * daemon starts a Node process, and bench:transfer counts that start in the
 * transfer's time.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers.ts'

const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href

describe('CLI start-up', () => {
  it('loads no undici, http2 or tls with the CLI (node:http imported as ESM costs ~100 ms of CPU)', async () => {
    const script = `await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/cli/main.ts')).href)})
process.stdout.write(JSON.stringify(process.moduleLoadList))`
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { cwd: ROOT })
    const loaded = JSON.parse(stdout) as string[]
    // the control client must be in the graph, or this proves nothing
    expect(loaded).toContain('NativeModule _http_client')
    expect(loaded.filter(name => /undici|http2|\btls\b/.test(name))).toEqual([])
  })

  it('loads neither zod nor the MCP SDK with the CLI: the operation registry\'s schemas are built only where arguments are validated', async () => {
    const script = `import { registerHooks } from 'node:module'
const packages = new Set()
registerHooks({ resolve (specifier, context, next) { const r = next(specifier, context); const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url); if (m != null) packages.add(m[1]); return r } })
await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/cli/main.ts')).href)})
process.stdout.write(JSON.stringify([...packages]))`
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { cwd: ROOT })
    const packages = JSON.parse(stdout) as string[]
    // the control client's graph is there, or this proves nothing
    expect(packages).toContain('progress-events')
    expect(packages.filter(name => name === 'zod' || name === '@modelcontextprotocol/sdk')).toEqual([])
  })
})
