import { describe, expect, it } from 'vitest'
import { InFlight } from '../../src/transfer/in-flight.ts'

function deferred (): { promise: Promise<void>, resolve(): void } {
  let resolve!: () => void
  const promise = new Promise<void>(res => { resolve = res })
  return { promise, resolve }
}

describe('InFlight', () => {
  it('a block only wanted is not waited for, but says the node is fetching', async () => {
    const inFlight = new InFlight()
    const want = deferred()
    inFlight.wanted('a', want.promise)
    expect(inFlight.fetching()).toBe(true)
    expect(await inFlight.wait('a', 60_000)).toBe(false)
    want.resolve()
    await want.promise
    await Promise.resolve()
    expect(inFlight.fetching()).toBe(false)
  })

  it('a block on its way is waited for until it lands', async () => {
    const inFlight = new InFlight()
    const landed = deferred()
    inFlight.receiving('b', landed.promise)
    let waited = false
    const waiting = inFlight.wait('b', 60_000).then(r => { waited = true; return r })
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(waited).toBe(false)
    landed.resolve()
    expect(await waiting).toBe(true)
  })

  it('waits no longer than it is given: what is left of a request\'s budget, none once spent', async () => {
    const inFlight = new InFlight()
    const landed = deferred()
    let hasLanded = false
    void landed.promise.then(() => { hasLanded = true })
    inFlight.receiving('c', landed.promise)
    expect(await inFlight.wait('c', 30)).toBe(true)
    expect(await inFlight.wait('c', 0)).toBe(true)
    expect(await inFlight.wait('c', -5)).toBe(true)
    expect(hasLanded).toBe(false)
    landed.resolve()
  })
})
