/**
 * One lock per key (a CID): work on one CID runs one task at a time, work on
 * different CIDs runs alongside. Only keys with work pending are held, so the
 * map stays as small as the work in flight.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  /** Runs `task` once every task queued before it on any of `keys` has settled. */
  async run<T> (keys: string[], task: () => Promise<T>): Promise<T> {
    // sorted and without repeats: two tasks taking the same keys in another order cannot wait for each other
    const unique = [...new Set(keys)].sort()
    const before = unique.map((k) => this.tails.get(k)).filter((p) => p != null)
    const result = Promise.allSettled(before).then(task)
    const tail = result.catch(() => {})
    for (const key of unique) this.tails.set(key, tail)
    try {
      return await result
    } finally {
      for (const key of unique) if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
