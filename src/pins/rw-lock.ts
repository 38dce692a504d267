import type { AbortOptions } from '@libp2p/interface'

/** Gives back a lock taken with `read` or `write`; a second call does nothing. */
export type Release = () => void

interface Waiter {
  write: boolean
  wake(): void
}

/**
 * A readers–writer lock inside one process. Imports and pins take the read
 * side (they may run together); gc takes the write side, so it never sees a
 * half-imported DAG whose pin has not landed yet.
 *
 * Waiters are served in arrival order, and a reader that arrives while a
 * writer waits queues behind it, so a stream of imports cannot starve gc.
 * A wait can be abandoned through `options.signal`: the call rejects with the
 * signal's reason and leaves the queue as if it had never asked (a store
 * whose caller gave up does not sit behind a long gc).
 *
 * Not mortice (Helia's lock), which would also do: its locks live in a
 * process-wide registry by name and coordinate across cluster workers, while
 * each kit needs a private lock and several kits share a test process.
 *
 * @example
 * const release = await lock.read({ signal })
 * try { await importFile(...) } finally { release() }
 */
export class RwLock {
  private readers = 0
  private writer = false
  private readonly waiting: Waiter[] = []

  async read (options: AbortOptions = {}): Promise<Release> {
    options.signal?.throwIfAborted()
    if (!this.writer && !this.waiting.some(w => w.write)) {
      this.readers++
    } else {
      await this.wait(false, options)
    }
    return once(() => { this.readers--; this.drain() })
  }

  async write (options: AbortOptions = {}): Promise<Release> {
    options.signal?.throwIfAborted()
    if (!this.writer && this.readers === 0) {
      this.writer = true
    } else {
      await this.wait(true, options)
    }
    return once(() => { this.writer = false; this.drain() })
  }

  /** Queue until `drain` hands this waiter the lock, or the signal aborts first. */
  private async wait (write: boolean, options: AbortOptions): Promise<void> {
    const signal = options.signal
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        write,
        wake: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter)
        // already woken (holds the lock): the caller gets it and must release it
        if (i === -1) return
        this.waiting.splice(i, 1)
        // a writer leaving the head of the queue may unblock the readers behind it
        this.drain()
        reject(signal?.reason)
      }
      this.waiting.push(waiter)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private drain (): void {
    while (this.waiting.length > 0 && !this.writer) {
      const next = this.waiting[0]
      if (next == null) return
      if (next.write) {
        if (this.readers > 0) return
        this.waiting.shift()
        this.writer = true
        next.wake()
        return
      }
      this.waiting.shift()
      this.readers++
      next.wake()
    }
  }
}

/** A mutual-exclusion lock: `run` calls queue and execute one at a time. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve()

  async run<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn)
    this.tail = result.catch(() => {})
    return result
  }
}

function once (fn: () => void): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    fn()
  }
}
