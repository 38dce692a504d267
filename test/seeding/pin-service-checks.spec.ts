/** What a Pinning Service API client sends is checked and bounded before a request exists; listing filters. */
import { describe, expect, it } from 'vitest'
import { PIN_SERVICE_MAX_META_BYTES, PIN_SERVICE_MAX_META_KEYS, PIN_SERVICE_MAX_ORIGINS } from '../../src/constants.ts'
import { checkPin } from '../../src/seeding/pin-service/index.ts'
import { matches } from '../../src/seeding/pin-service/checks.ts'
import type { PinRequest } from '../../src/seeding/index.ts'

const CID = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'
const ORIGIN = '/ip4/127.0.0.1/tcp/4101/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

describe('pin service checks', () => {
  it('refuses malformed or oversized pins with InvalidInputError, keeps good ones as sent', () => {
    expect(checkPin({ cid: CID, name: 'w', origins: [ORIGIN], meta: { replicas: '2:3' } })).toEqual({ cid: CID, name: 'w', origins: [ORIGIN], meta: { replicas: '2:3' } })
    const bad: unknown[] = [
      null, [], { name: 'no cid' }, { cid: 'not-a-cid' }, { cid: CID, name: 'x'.repeat(256) },
      { cid: CID, origins: ['/ip4/127.0.0.1/tcp/1'] }, // no /p2p/
      { cid: CID, origins: ['nonsense'] },
      { cid: CID, origins: Array.from({ length: PIN_SERVICE_MAX_ORIGINS + 1 }, () => ORIGIN) },
      { cid: CID, meta: { n: 5 } },
      { cid: CID, meta: Object.fromEntries(Array.from({ length: PIN_SERVICE_MAX_META_KEYS + 1 }, (_, i) => [`k${i}`, 'v'])) },
      { cid: CID, meta: { big: 'x'.repeat(PIN_SERVICE_MAX_META_BYTES) } },
      { cid: CID, meta: { replicas: '0' } }, { cid: CID, meta: { replicas: '4:2' } }
    ]
    for (const raw of bad) expect(() => checkPin(raw), JSON.stringify(raw)?.slice(0, 80)).toThrow(expect.objectContaining({ name: expect.stringMatching(/^(InvalidInputError|InvalidCIDError)$/) }))
  })

  it('filters by status (pinned by default), cid, name with each match strategy, time and meta', () => {
    const r: PinRequest = { requestid: 'r', status: 'pinned', created: 1000, pin: { cid: CID, name: 'Tiny-Model', meta: { app: 'x', team: 'y' } } }
    expect(matches(r, {})).toBe(true)
    expect(matches({ ...r, status: 'queued' }, {})).toBe(false)
    expect(matches({ ...r, status: 'queued' }, { status: ['queued', 'failed'] })).toBe(true)
    expect(matches(r, { cid: ['bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve'] })).toBe(false)
    expect(matches(r, { name: 'Tiny-Model' })).toBe(true)
    expect(matches(r, { name: 'tiny-model' })).toBe(false)
    expect(matches(r, { name: 'tiny-model', match: 'iexact' })).toBe(true)
    expect(matches(r, { name: 'Model', match: 'partial' })).toBe(true)
    expect(matches(r, { name: 'model', match: 'partial' })).toBe(false)
    expect(matches(r, { name: 'model', match: 'ipartial' })).toBe(true)
    expect([matches(r, { before: 1000 }), matches(r, { before: 1001 }), matches(r, { after: 999 }), matches(r, { after: 1000 })]).toEqual([false, true, true, false])
    expect(matches(r, { meta: { app: 'x' } })).toBe(true)
    expect(matches(r, { meta: { app: 'x', team: 'z' } })).toBe(false)
  })
})
