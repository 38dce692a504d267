/**
 * Temporary holds (iroh-blobs' temporary tags): an in-memory set of blocks
 * that gc and eviction treat as referenced until the hold is released. A
 * multi-step operation (a model publish: many files, then the manifest pin)
 * holds each piece from the moment it is stored, without pinning it.
 */
export class Hold {
  readonly keys = new Set<string>()
  private released = false

  constructor (private readonly onRelease: (hold: Hold) => void) {}

  add (keys: Iterable<string>): void {
    if (this.released) throw new Error('hold already released')
    for (const key of keys) this.keys.add(key)
  }

  release (): void {
    if (this.released) return
    this.released = true
    this.onRelease(this)
  }
}

/** The holds of one repo. */
export class Holds {
  private readonly active = new Set<Hold>()

  create (): Hold {
    const hold = new Hold(h => { this.active.delete(h) })
    this.active.add(hold)
    return hold
  }

  /** Every block key some hold keeps. */
  keys (): Set<string> {
    const out = new Set<string>()
    for (const hold of this.active) for (const key of hold.keys) out.add(key)
    return out
  }
}
