/** Merges streams of ids, each newest first, into one newest first; an id in several streams comes once. */
export async function * mergeNewestFirst (streams: Array<AsyncIterable<string>>): AsyncGenerator<string> {
  const iterators = streams.map((s) => s[Symbol.asyncIterator]())
  const heads = await Promise.all(iterators.map(async (it) => it.next()))
  try {
    while (true) {
      let newest: string | undefined
      for (const head of heads) if (head.done !== true && (newest === undefined || head.value > newest)) newest = head.value
      if (newest === undefined) return
      yield newest
      await Promise.all(heads.map(async (head, i) => {
        if (head.done !== true && head.value === newest) heads[i] = await (iterators[i] as AsyncIterator<string>).next()
      }))
    }
  } finally {
    await Promise.all(iterators.map(async (it) => it.return?.()))
  }
}
