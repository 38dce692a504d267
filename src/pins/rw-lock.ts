/**
 * A readers–writer lock inside one process. Imports and pins take the read
 * side (they may run together); gc takes the write side, so it never sees a
 * half-imported DAG whose pin has not landed yet.
 */
export class RwLock {
  private readers = 0
  private writer = false
  private readonly waiting: Array<{ write: boolean, wake(): void }> = []

  async read (): Promise<() => void> {
    if (!this.writer && !this.waiting.some(w => w.write)) {
      this.readers++
    } else {
      await new Promise<void>(resolve => this.waiting.push({ write: false, wake: resolve }))
    }
    return once(() => { this.readers--; this.drain() })
  }

  async write (): Promise<() => void> {
    if (!this.writer && this.readers === 0) {
      this.writer = true
    } else {
      await new Promise<void>(resolve => this.waiting.push({ write: true, wake: resolve }))
    }
    return once(() => { this.writer = false; this.drain() })
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
