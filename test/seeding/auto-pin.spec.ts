/** Auto-pin: hot roots pinned as `auto` at once, cold ones not; dropped when idle; within a byte budget; weak under disk pressure. */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit, KitConfigInput } from '../../src/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

async function kitWith (seeding: NonNullable<KitConfigInput['ipfs_kit']>['seeding']): Promise<Kit> {
  return await sandbox.kit({ config: { ipfs_kit: { seeding } } })
}

async function originsOf (kit: Kit, cid: string): Promise<string[] | undefined> {
  for await (const pin of kit.storage.pins()) if (pin.cid === cid) return pin.origins
  return undefined
}

async function readTimes (kit: Kit, cid: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect(await kit.storage.retrieve(cid)).toBeDefined()
}

/** Poll until `check` holds (a deadline far above any load, never a timing assertion). */
async function until (check: () => Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!await check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${deadlineMs} ms`)
    await sleep(20)
  }
}

describe('auto-pin', () => {
  it('pins a root on the read that crosses auto_pin_reads (no timer involved), and not a root read less', async () => {
    // auto_unpin_after 24h: the sweep timer runs every 60 s, so a pin seen here came from the read itself
    const kit = await kitWith({ auto_pin_reads: 3, auto_pin_window: '1m', auto_unpin_after: '24h' })
    const hot = await kit.storage.store(randomBytes(2000), { pin: false })
    const cold = await kit.storage.store(randomBytes(2000), { pin: false })
    await readTimes(kit, hot, 2)
    await readTimes(kit, cold, 2)
    await kit.seeding.settled()
    expect(await originsOf(kit, hot)).toBeUndefined()
    await readTimes(kit, hot, 1)
    await kit.seeding.settled()
    expect(await originsOf(kit, hot)).toEqual(['auto'])
    expect(await originsOf(kit, cold)).toBeUndefined()
    const stats = kit.seeding.stats()
    expect(stats.autoPins).toEqual({ roots: 1, bytes: 2000, skipped: 0 })
    expect(stats.roots.find(r => r.cid === hot)).toMatchObject({ reads: 3, autoPinned: true })
    expect(stats.roots.find(r => r.cid === cold)).toMatchObject({ reads: 2, autoPinned: false })
  })

  it('counts only reads within auto_pin_window', async () => {
    const kit = await kitWith({ auto_pin_reads: 2, auto_pin_window: '200ms' })
    const cid = await kit.storage.store(randomBytes(1000), { pin: false })
    for (let i = 0; i < 3; i++) {
      await readTimes(kit, cid, 1)
      await sleep(300) // load only makes the gap longer
    }
    await kit.seeding.settled()
    expect(await originsOf(kit, cid)).toBeUndefined()
  })

  it('drops the auto origin after auto_unpin_after without reads, keeping a pin someone else made', async () => {
    const kit = await kitWith({ auto_pin_reads: 1, auto_unpin_after: '400ms' })
    const alone = await kit.storage.store(randomBytes(1000), { pin: false })
    const shared = await kit.storage.store(randomBytes(1000), { pin: false })
    await readTimes(kit, alone, 1)
    await readTimes(kit, shared, 1)
    await kit.seeding.settled()
    expect(await originsOf(kit, alone)).toEqual(['auto'])
    await kit.storage.pin(shared, { origin: 'dataset' })
    await until(async () => await originsOf(kit, alone) == null, 'idle auto pin dropped')
    await until(async () => (await originsOf(kit, shared))?.length === 1, 'auto origin of the shared root dropped')
    expect(await originsOf(kit, shared)).toEqual(['dataset'])
    expect(kit.seeding.stats().autoPins.roots).toBe(0)
  })

  it('never lets auto-pinned bytes pass auto_pin_max_bytes', async () => {
    const kit = await kitWith({ auto_pin_reads: 1, auto_pin_max_bytes: 5000 })
    const roots = [] as string[]
    for (let i = 0; i < 3; i++) roots.push(await kit.storage.store(randomBytes(2000), { pin: false }))
    for (const cid of roots) await readTimes(kit, cid, 1)
    await kit.seeding.settled()
    const pinned = []
    for (const cid of roots) if ((await originsOf(kit, cid))?.includes('auto') === true) pinned.push(cid)
    expect(pinned).toEqual(roots.slice(0, 2))
    expect(kit.seeding.stats().autoPins).toEqual({ roots: 2, bytes: 4000, skipped: 1 })
  })

  it('leaves a root pinned already alone (nothing added, nothing spent)', async () => {
    const kit = await kitWith({ auto_pin_reads: 1 })
    const cid = await kit.storage.store('pinned by a user', { pin: true })
    await readTimes(kit, cid, 2)
    await kit.seeding.settled()
    expect(await originsOf(kit, cid)).toEqual(['user'])
    expect(kit.seeding.stats().autoPins.roots).toBe(0)
  })

  it('evicts weak (auto-only) pins under disk pressure first, least recently read first, and never a strong pin', async () => {
    const kit = await kitWith({ auto_pin_reads: 1 })
    const store = async (): Promise<string> => await kit.storage.store(randomBytes(10_000), { pin: false })
    const roots = { older: await store(), newer: await store(), mixed: await store(), user: await kit.storage.store(randomBytes(10_000), { pin: true }) }
    await readTimes(kit, roots.older, 1)
    await sleep(5)
    await readTimes(kit, roots.mixed, 1)
    await sleep(5)
    await readTimes(kit, roots.newer, 1)
    await kit.seeding.settled()
    await kit.storage.pin(roots.mixed, { origin: 'model' })
    const unpinned = await store() // an unpinned listed file

    const before = (await kit.storage.status()).repo.bytes
    const first = await kit.storage.evict(before - 1)
    expect(first.freedBytes).toBe(10_000)
    expect(await kit.storage.exists(roots.older)).toBe(false)
    expect(await originsOf(kit, roots.older)).toBeUndefined()
    for (const cid of [roots.newer, roots.mixed, roots.user, unpinned]) expect(await kit.storage.exists(cid)).toBe(true)

    await kit.storage.evict(0)
    expect(await kit.storage.exists(roots.newer)).toBe(false)
    expect(await kit.storage.exists(unpinned)).toBe(false)
    expect(await originsOf(kit, roots.mixed)).toEqual(['auto', 'model'])
    expect(await kit.storage.exists(roots.mixed)).toBe(true)
    expect(await kit.storage.exists(roots.user)).toBe(true)
  })
})
