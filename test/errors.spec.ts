/**
 * The error catalogue, docs/errors.md and the package exports agree: every
 * class in src/errors.ts that extends KitError is in ERRORS, exported, and has
 * one row in the docs with its code, a meaning and what the user does.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as pkg from '../src/index.ts'
import { ERRORS, KitError, isKitError } from '../src/errors.ts'

const errorsSource = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8')
const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')

interface DocRow { name: string, code: string, meaning: string, action: string }

/** Rows of the table whose first cell is an error class name. */
function docRows (): DocRow[] {
  const rows: DocRow[] = []
  for (const line of docs.split('\n')) {
    const cells = line.trim().replace(/^\||\|$/g, '').split('|').map(c => c.trim())
    const name = /^`?(\w+Error)`?$/.exec(cells[0] ?? '')?.[1]
    if (!line.trim().startsWith('|') || name == null) continue
    rows.push({ name, code: (cells[1] ?? '').replace(/`/g, ''), meaning: cells[2] ?? '', action: cells[3] ?? '' })
  }
  return rows
}

/** One instance of each class; constructors take strings (and TooLargeError a size and a limit). */
function instanceOf (ErrorClass: (typeof ERRORS)[number]): KitError {
  const Construct = ErrorClass as unknown as new (...args: unknown[]) => KitError
  return new Construct('/some/input', 'a reason', 2)
}

describe('error catalogue', () => {
  it('lists every KitError subclass declared in src/errors.ts, once', () => {
    const declared = [...errorsSource.matchAll(/export class (\w+) extends KitError/g)].map(m => m[1])
    expect(declared.length).toBeGreaterThan(0)
    expect(ERRORS.map(E => E.name).sort()).toEqual(declared.sort())
    expect(new Set(ERRORS).size).toBe(ERRORS.length)
  })

  it.each(ERRORS.map(E => [E.name, E] as const))('%s: name equals the class name, on the class and the instance', (name, ErrorClass) => {
    const declaredName = new RegExp(`export class ${name} extends KitError \\{\\s*static override readonly name = '${name}'\\s*override readonly name = '${name}'`)
    expect(errorsSource).toMatch(declaredName)
    const err = instanceOf(ErrorClass)
    expect(err.name).toBe(name)
    expect(err).toBeInstanceOf(ErrorClass)
    expect(err).toBeInstanceOf(KitError)
    expect(err).toBeInstanceOf(Error)
    expect(isKitError(err)).toBe(true)
    expect(err.code).toMatch(/^ERR_[A-Z_]+$/)
    expect(err.message.length).toBeGreaterThan(0)
    expect(err.message).not.toContain('\n')
    // a hint, when there is one, is one non-empty line (AbortError has none: the caller asked for it)
    if (err.hint !== undefined) expect(err.hint).toMatch(/^[^\n]+$/)
    expect(err.hint === undefined).toBe(name === 'AbortError')
  })

  it('gives every error a different code', () => {
    const codes = ERRORS.map(E => instanceOf(E).code)
    expect(new Set(codes).size).toBe(codes.length)
  })

  it('does not count a plain Error as a KitError', () => {
    expect(isKitError(new Error('x'))).toBe(false)
    expect(isKitError({ name: 'NotFoundError', code: 'ERR_NOT_FOUND' })).toBe(false)
  })
})

describe('package exports', () => {
  it('exports every catalogued error class under its name', () => {
    const exported = pkg as unknown as Record<string, unknown>
    for (const ErrorClass of ERRORS) expect(exported[ErrorClass.name], ErrorClass.name).toBe(ErrorClass)
    expect(exported.ERRORS).toBe(ERRORS)
    expect(exported.KitError).toBe(KitError)
    expect(exported.isKitError).toBe(isKitError)
  })

  it('exports no KitError class that the catalogue lacks', () => {
    const catalogued = new Set<unknown>(ERRORS)
    const strays = Object.entries(pkg).filter(([_name, value]) =>
      typeof value === 'function' && value !== KitError && value.prototype instanceof KitError && !catalogued.has(value)
    ).map(([name]) => name)
    expect(strays).toEqual([])
  })
})

describe('docs/errors.md', () => {
  const rows = docRows()

  it('has one row per catalogued error, in catalogue order', () => {
    expect(rows.map(r => r.name)).toEqual(ERRORS.map(E => E.name))
  })

  it.each(ERRORS.map(E => [E.name, E] as const))('%s: documents the code the class has, a meaning and what to do', (name, ErrorClass) => {
    const row = rows.find(r => r.name === name)
    expect(row, `no row for ${name}`).toBeDefined()
    expect(row?.code).toBe(instanceOf(ErrorClass).code)
    expect(row?.meaning.length).toBeGreaterThan(10)
    expect(row?.action.length).toBeGreaterThan(5)
  })
})
