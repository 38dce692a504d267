import { describe, expect, it } from 'vitest'
import { Mutex, RwLock } from '../../src/pins/index.ts'

/** Let every queued microtask and promise continuation run. */
async function settle (): Promise<void> {
  await new Promise(resolve => setImmediate(resolve))
}

describe('RwLock', () => {
  it('lets readers hold it together', async () => {
    const lock = new RwLock()
    const r1 = await lock.read()
    const r2 = await lock.read()
    r1()
    r2()
  })

  it('makes a writer wait for every reader to release', async () => {
    const lock = new RwLock()
    const r1 = await lock.read()
    const r2 = await lock.read()
    let written = false
    const writer = lock.write().then(release => { written = true; return release })
    await settle()
    expect(written).toBe(false)
    r1()
    await settle()
    expect(written).toBe(false)
    r2()
    const release = await writer
    expect(written).toBe(true)
    release()
  })

  it('makes readers wait while a writer holds it, then admits them together', async () => {
    const lock = new RwLock()
    const w = await lock.write()
    let readers = 0
    const a = lock.read().then(release => { readers++; return release })
    const b = lock.read().then(release => { readers++; return release })
    await settle()
    expect(readers).toBe(0)
    w()
    const [ra, rb] = await Promise.all([a, b])
    expect(readers).toBe(2)
    ra()
    rb()
  })

  it('queues new readers behind a waiting writer, so gc is not starved', async () => {
    const lock = new RwLock()
    const order: string[] = []
    const r1 = await lock.read()
    const writer = lock.write().then(release => { order.push('write'); return release })
    const reader = lock.read().then(release => { order.push('read'); return release })
    await settle()
    expect(order).toEqual([])
    r1()
    const w = await writer
    await settle()
    expect(order).toEqual(['write'])
    w()
    const r2 = await reader
    expect(order).toEqual(['write', 'read'])
    r2()
  })

  it('serialises writers', async () => {
    const lock = new RwLock()
    const w1 = await lock.write()
    let second = false
    const w2 = lock.write().then(release => { second = true; return release })
    await settle()
    expect(second).toBe(false)
    w1()
    ;(await w2)()
    expect(second).toBe(true)
  })

  it('ignores a release called twice', async () => {
    const lock = new RwLock()
    const r1 = await lock.read()
    const r2 = await lock.read()
    r1()
    r1()
    let written = false
    const writer = lock.write().then(release => { written = true; return release })
    await settle()
    // r2 still holds the lock: a double release of r1 must not have counted as r2's
    expect(written).toBe(false)
    r2()
    ;(await writer)()
    expect(written).toBe(true)
  })
})

describe('Mutex', () => {
  it('runs calls one at a time, in order', async () => {
    const mutex = new Mutex()
    const events: string[] = []
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`)
      await new Promise(resolve => setTimeout(resolve, ms))
      events.push(`end ${name}`)
      return name
    }
    const results = await Promise.all([mutex.run(task('a', 20)), mutex.run(task('b', 1)), mutex.run(task('c', 5))])
    expect(results).toEqual(['a', 'b', 'c'])
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('goes on after a call fails, and passes the failure to its caller', async () => {
    const mutex = new Mutex()
    const failed = mutex.run(async () => { throw new Error('boom') })
    const next = mutex.run(async () => 'next')
    await expect(failed).rejects.toThrow('boom')
    await expect(next).resolves.toBe('next')
  })
})
