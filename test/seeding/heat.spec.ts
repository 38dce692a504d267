/**
 * Heat moves a MIN:MAX replication: two nodes, a root pinned with `--replicas 1:2` stays on its
 * one holder while nobody reads it, goes to 2 once it is read hot, and back to 1 once its score
 * has decayed (half_life shortened to 1 s).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Kit } from '../../src/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

async function until (check: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`)
    await sleep(100)
  }
}

describe('replication by heat', () => {
  it('keeps a cold root on min holders, raises it to max when hot, lowers it again when cold', async () => {
    const seeding = { heartbeat_interval: '100ms', repin_grace: '1s', half_life: '1s', accept_replicas: true, auto_pin: false }
    const a: Kit = await sandbox.kit({ offline: false, config: { ipfs_kit: { seeding } } })
    const b: Kit = await sandbox.kit({ offline: false, config: { ipfs_kit: { seeding } } })
    await b.dial(a.addresses()[0] as string)
    const cid = await a.storage.store('heat moves replicas', { pin: false })
    expect(await a.storage.pin(cid, { replicas: '1:2' })).toBe(true)
    const holders = (): number => a.seeding.replications()[0]?.holders.length ?? 0

    // many rounds, nobody reads it: one holder, the origin
    await sleep(1500)
    expect(a.seeding.replications()).toEqual([{ cid, min: 1, max: 2, holders: [a.peerId.toString()], state: 'ok' }])

    // read hot on the origin (a score of 20, over SEEDING_HOT_SCORE for about 2 s): raised to 2
    for (let i = 0; i < 20; i++) a.seeding.noteRead(cid)
    await until(() => holders() === 2, 'raised to max')
    const pinsOfB: string[] = []
    for await (const pin of b.storage.pins()) if (pin.cid === cid) pinsOfB.push(...pin.origins)
    expect(pinsOfB).toEqual(['replica'])

    // no more reads: the score halves every second, under SEEDING_COLD_SCORE within ~6 s: lowered to 1
    await until(() => holders() === 1, 'lowered to min')
    expect(a.seeding.replications()[0]?.holders).toEqual([a.peerId.toString()])
  }, 60_000)
})
