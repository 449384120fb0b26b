/** Runs `fn` on every item of `items`, at most `concurrency` at once; rejects with the first failure. */
export async function forEachConcurrent<T> (items: AsyncIterable<T>, concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>()
  let failure: { error: unknown } | undefined
  for await (const item of items) {
    if (failure != null) break
    const task: Promise<void> = fn(item).catch((error: unknown) => { failure ??= { error } }).finally(() => { running.delete(task) })
    running.add(task)
    if (running.size >= concurrency) await Promise.race(running)
  }
  await Promise.all(running)
  if (failure != null) throw failure.error
}
