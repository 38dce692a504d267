import { describe, expect, it } from 'vitest'
import { Mutex, RwLock } from '../../src/pins/index.ts'

/** Let every queued microtask and promise continuation run. */
async function settle (): Promise<void> {
  await new Promise(resolve => setImmediate(resolve))
}

describe('RwLock', () => {
  it('lets readers hold it together, and a writer in once the last leaves', async () => {
    const lock = new RwLock()
    const held: string[] = []
    const r1 = lock.read().then(release => { held.push('r1'); return release })
    const r2 = lock.read().then(release => { held.push('r2'); return release })
    await settle()
    // both hold it at once: neither waited for the other to release
    expect(held).toEqual(['r1', 'r2'])
    let written = false
    const writer = lock.write().then(release => { written = true; return release })
    ;(await r1)()
    await settle()
    expect(written).toBe(false)
    ;(await r2)()
    ;(await writer)()
    expect(written).toBe(true)
  })

  it('never lets a writer in beside a reader or another writer', async () => {
    const lock = new RwLock()
    let readers = 0
    let writers = 0
    const overlaps: string[] = []
    const check = (who: string): void => {
      if (writers > 1 || (writers === 1 && readers > 0)) overlaps.push(`${who}: ${writers} writers, ${readers} readers`)
    }
    const reader = async (i: number): Promise<void> => {
      const release = await lock.read()
      readers++
      check(`reader ${i}`)
      await new Promise(resolve => setTimeout(resolve, i % 3))
      readers--
      release()
    }
    const writer = async (i: number): Promise<void> => {
      const release = await lock.write()
      writers++
      check(`writer ${i}`)
      await new Promise(resolve => setTimeout(resolve, i % 2))
      writers--
      release()
    }
    await Promise.all(Array.from({ length: 60 }, async (_, i) => { await (i % 4 === 0 ? writer(i) : reader(i)) }))
    expect(overlaps).toEqual([])
    expect((await lock.write())).toBeTypeOf('function') // and it is free again
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

describe('RwLock with a signal', () => {
  it('a reader waiting behind a writer gives up with the signal\'s reason, and the lock goes on', async () => {
    const lock = new RwLock()
    const w = await lock.write()
    const controller = new AbortController()
    const aborted = lock.read({ signal: controller.signal })
    let later = false
    const next = lock.read().then(release => { later = true; return release })
    await settle()
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })
    expect(later).toBe(false) // the writer still holds it
    w()
    ;(await next)()
    expect(later).toBe(true)
    // nothing left of the aborted reader: a writer gets in at once
    ;(await lock.write())()
  })

  it('a waiting writer that gives up lets the readers queued behind it in', async () => {
    const lock = new RwLock()
    const r1 = await lock.read()
    const controller = new AbortController()
    const writer = lock.write({ signal: controller.signal })
    let admitted = false
    const reader = lock.read().then(release => { admitted = true; return release })
    await settle()
    expect(admitted).toBe(false) // queued behind the writer (no starvation)
    const reason = new Error('gave up')
    controller.abort(reason)
    await expect(writer).rejects.toBe(reason)
    const r2 = await reader
    expect(admitted).toBe(true)
    r1()
    r2()
    ;(await lock.write())()
  })

  it('rejects at once with a signal already aborted, taking nothing', async () => {
    const lock = new RwLock()
    await expect(lock.read({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    await expect(lock.write({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    ;(await lock.write())()
  })

  it('an abort after the lock was granted changes nothing: the holder keeps it until release', async () => {
    const lock = new RwLock()
    const controller = new AbortController()
    const w = await lock.write({ signal: controller.signal })
    controller.abort()
    let read = false
    const reader = lock.read().then(release => { read = true; return release })
    await settle()
    expect(read).toBe(false)
    w()
    ;(await reader)()
    expect(read).toBe(true)
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
