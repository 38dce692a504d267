/**
 * The seed plan's convenience singleton: `getStorage()` returns the same
 * storage for the whole process, `resetStorage()` stops it so the next call
 * makes a new one. Libraries should prefer `createKit()`.
 */
import { createKit } from './kit.ts'
import type { Kit, KitOptions } from './kit.ts'
import type { IPFSKitStorage } from './storage/index.ts'

let current: Promise<Kit> | undefined

/**
 * The process-wide storage, created on first call with `options` (later
 * calls return it and ignore their options).
 *
 * @example
 * const storage = await getStorage({ offline: true })
 * await storage.store('hello')
 */
export async function getStorage (options: KitOptions = {}): Promise<IPFSKitStorage> {
  current ??= createKit(options)
  try {
    return (await current).storage
  } catch (err) {
    current = undefined
    throw err
  }
}

/** Stop the process-wide storage; the next `getStorage()` creates a new one. */
export async function resetStorage (): Promise<void> {
  const kit = current
  current = undefined
  if (kit != null) await (await kit.catch(() => undefined))?.stop()
}
