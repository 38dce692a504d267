/**
 * The operation registry is the one list: every KitOperations method is in it
 * (or is a byte stream with a wire of its own), each tool name is unique and
 * snake_case under its area's prefix, and each input schema builds.
 */
import { describe, expect, it } from 'vitest'
import { OPERATIONS, callOperation, inputSchema } from '../../src/control/index.ts'
import { localOperations } from '../../src/control/operations.ts'
import type { Kit } from '../../src/index.ts'

/** Methods that move bytes to a file descriptor or a local file the caller picks: no JSON form. */
const NOT_JSON = ['catTo']

describe('operation registry', () => {
  it('covers every KitOperations method, once', () => {
    // the object localOperations builds has every method of the interface (TypeScript checks that)
    const methods = Object.keys(localOperations({ storage: {}, models: {}, cache: {} } as unknown as Kit)).sort()
    expect([...OPERATIONS.map(spec => spec.name as string), ...NOT_JSON].sort()).toEqual(methods)
  })

  it('names each tool once, snake_case under its area', () => {
    const tools = OPERATIONS.map(spec => spec.tool)
    expect(new Set(tools).size).toBe(tools.length)
    for (const tool of tools) expect(tool).toMatch(/^(ipfs|model|cache|dataset|replication)_[a-z]+(_[a-z]+)*$/)
  })

  it('builds an object schema for each operation that takes its parameters and path fields', async () => {
    for (const spec of OPERATIONS) {
      const shape = (await inputSchema(spec)).shape
      for (const field of [...(spec.wire === 'bytes' ? [] : spec.params), ...(spec.paths ?? [])]) expect(Object.keys(shape), `${spec.name}.${field}`).toContain(field)
      expect(spec.annotations.readOnly && spec.annotations.destructive, `${spec.name} both read-only and destructive`).toBe(false)
    }
  })

  it('calls the method with the parameters by position and the rest as options', async () => {
    const calls: unknown[][] = []
    const ops = { modelPull: async (...args: unknown[]) => { calls.push(args); return 'done' } } as any
    const spec = OPERATIONS.find(s => s.name === 'modelPull')
    if (spec == null) throw new Error('no modelPull')
    const signal = new AbortController().signal
    const onProgress = (): void => {}
    expect(await callOperation(ops, spec, { name: 'acme/x', dest: '/d', force: undefined }, { signal, onProgress })).toBe('done')
    expect(calls).toEqual([['acme/x', { dest: '/d', signal, onProgress }]])
  })
})
