/**
 * A map in least-recently-used order with a size per item: `touch` moves an
 * item to the young end, `oldest()` is the next to evict. JavaScript's Map
 * keeps insertion order, so delete-and-set is the whole LRU (O(1)).
 */
export class Lru<V> {
  private readonly items = new Map<string, { value: V, size: number }>()
  private total = 0

  get size (): number { return this.items.size }
  /** Sum of the items' sizes. */
  get bytes (): number { return this.total }

  get (key: string): V | undefined {
    return this.items.get(key)?.value
  }

  has (key: string): boolean {
    return this.items.has(key)
  }

  /** Read and mark as most recently used. */
  touch (key: string): V | undefined {
    const item = this.items.get(key)
    if (item == null) return undefined
    this.items.delete(key)
    this.items.set(key, item)
    return item.value
  }

  set (key: string, value: V, size: number): void {
    this.delete(key)
    this.items.set(key, { value, size })
    this.total += size
  }

  delete (key: string): V | undefined {
    const item = this.items.get(key)
    if (item == null) return undefined
    this.items.delete(key)
    this.total -= item.size
    return item.value
  }

  /** The least recently used key. */
  oldest (): string | undefined {
    for (const key of this.items.keys()) return key
    return undefined
  }

  entries (): IterableIterator<[string, V]> {
    const it = this.items.entries()
    return (function * () { for (const [k, { value }] of it) yield [k, value] as [string, V] })()
  }
}
