/**
 * The replication member view kept across a restart (member-log.ts): a node restarted within
 * `repin_grace` still counts the holder it heard before the restart, so it does not see one holder
 * too few and re-allocate at once (a 5-process CI run once failed exactly so: a new holder 2.9 s
 * after two holders were killed and one restarted, with a 15 s grace).
 */
import { Level } from 'level'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeJson, MetaStore } from '../../src/repo/index.ts'
import { MemberLog } from '../../src/seeding/replication/member-log.ts'
import { Members } from '../../src/seeding/replication/members.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { BatchOp } from '../../src/repo/index.ts'

const sandbox = new Sandbox()
afterEach(async () => { await sandbox.cleanup() })

const CID = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'
const A = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const B = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const TTL = 900
const GRACE = 15_000
const spec = { cid: CID, min: 3, max: 3, origin: A }

class CountingMetaStore extends MetaStore {
  readonly batches: BatchOp[][] = []
  override async batch (ops: BatchOp[]): Promise<void> {
    this.batches.push(ops)
    await super.batch(ops)
  }
}

async function withMeta (work: (meta: CountingMetaStore) => Promise<void>): Promise<void> {
  const db = new Level<string, Uint8Array>(await sandbox.dir(), { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  try {
    await work(new CountingMetaStore(db, false))
  } finally {
    await db.close()
  }
}

describe('the replication member view across a restart', () => {
  it('counts a holder heard before the restart until TTL + grace from when it was last heard, then forgets it', async () => {
    await withMeta(async meta => {
      let now = 1_000_000
      const before = new Members(TTL, GRACE, () => now)
      before.heard(A, { free: 10, specs: [spec], tags: { zone: 'a' }, scores: {} })
      before.heard(B, { free: 20, specs: [], tags: {}, scores: {} })
      await new MemberLog(meta).save(before)

      // restarted 3 s later: A went silent before the restart and still counts, with what it said
      now += 3000
      const after = new Members(TTL, GRACE, () => now)
      await new MemberLog(meta).load(after)
      expect(after.isCounted(A)).toBe(true)
      expect(after.isLive(A)).toBe(false)
      expect(after.get(A)?.specs.get(CID)).toEqual(spec)
      expect(after.get(A)?.tags).toEqual({ zone: 'a' })
      // a heartbeat heard since the restart wins over the record
      after.heard(B, { free: 99, specs: [spec], tags: {}, scores: {} })
      await new MemberLog(meta).load(after)
      expect(after.get(B)?.free).toBe(99)

      // restarted again past TTL + grace from A's last heartbeat: A is not counted, its record deleted
      now = 1_000_000 + TTL + GRACE + 1
      const late = new Members(TTL, GRACE, () => now)
      await new MemberLog(meta).load(late)
      expect(late.get(A)).toBeUndefined()
      const left: string[] = []
      for await (const key of meta.keys('/ipfs-kit/seeding/members/said/')) left.push(key)
      expect(left).toEqual([])
    })
  })

  it('rewrites what a member said only when it changed, and reads a damaged record as nothing', async () => {
    await withMeta(async meta => {
      let now = 5_000
      const members = new Members(TTL, GRACE, () => now)
      const log = new MemberLog(meta)
      const said = (): number => meta.batches.at(-1)?.filter(op => op.key.includes('/said/')).length ?? -1
      members.heard(A, { free: 1, specs: [spec], tags: {}, scores: {} })
      await log.save(members)
      expect(said()).toBe(1)
      // free space and scores change every heartbeat: only the last-seen time is written
      now += 300
      members.heard(A, { free: 2, specs: [spec], tags: {}, scores: { [CID]: 4 } })
      await log.save(members)
      expect(said()).toBe(0)
      members.heard(A, { free: 2, specs: [{ ...spec, max: 4 }], tags: {}, scores: {} })
      await log.save(members)
      expect(said()).toBe(1)
      // forgotten past TTL + grace: its record goes
      now += TTL + GRACE + 1
      members.prune()
      await log.save(members)
      expect(meta.batches.at(-1)?.find(op => op.key.includes('/said/'))).toEqual({ type: 'del', key: `/ipfs-kit/seeding/members/said/${A}` })

      // a torn last-seen record and a said record that is not a heartbeat: nothing restored, no error
      await meta.batch([
        { type: 'put', key: '/ipfs-kit/seeding/members/seen', value: new TextEncoder().encode('{"12D3') },
        { type: 'put', key: `/ipfs-kit/seeding/members/said/${B}`, value: encodeJson({ op: 'format-disk' }) }
      ])
      const fresh = new Members(TTL, GRACE, () => now)
      await new MemberLog(meta).load(fresh)
      expect(fresh.all()).toEqual([])
      await meta.batch([{ type: 'put', key: '/ipfs-kit/seeding/members/seen', value: encodeJson({ [B]: now }) }])
      await new MemberLog(meta).load(fresh)
      expect(fresh.all()).toEqual([])
    })
  })
})
