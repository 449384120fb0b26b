/**
 * Merges async iterables, yielding items as any source produces them. Each
 * source has at most one `next()` outstanding, so memory stays bounded by the
 * number of sources however fast they produce.
 */
export async function * mergeIterables<T> (sources: Array<AsyncIterable<T>>): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]())
  const inFlight = new Map<number, Promise<{ index: number, result: IteratorResult<T> }>>()
  const pull = (index: number): void => {
    const it = iterators[index] as AsyncIterator<T>
    inFlight.set(index, it.next().then((result) => ({ index, result })))
  }
  iterators.forEach((_, i) => { pull(i) })
  try {
    while (inFlight.size > 0) {
      const { index, result } = await Promise.race(inFlight.values())
      if (result.done === true) {
        inFlight.delete(index)
      } else {
        pull(index)
        yield result.value
      }
    }
  } finally {
    // the consumer stopped early or a source threw: end the others
    await Promise.allSettled([...inFlight.keys()].map(async (i) => iterators[i]?.return?.()))
  }
}
