/**
 * A streaming call through the local shortcut: the handler's own iterator,
 * with the caller's signal checked before each item is asked for. A plain
 * forwarding object rather than an async generator around the handler's: a
 * status listing goes through three local streams per pin, and each
 * generator layer costs promises and a turn of the microtask queue per item.
 */
import { RpcAbortError } from './errors.ts'

export class LocalStream<T> implements AsyncGenerator<T, undefined> {
  private iterator?: AsyncIterator<T>
  private readonly open: () => AsyncIterable<T>
  private readonly signal: AbortSignal | undefined

  /** `open` calls the handler: at the first `next()`, as a generator would start. */
  constructor (open: () => AsyncIterable<T>, signal: AbortSignal | undefined) {
    this.open = open
    this.signal = signal
  }

  /** Not `async`: the handler's own promise is handed over, with no promise around it. */
  next (): Promise<IteratorResult<T, undefined>> {
    if (this.signal?.aborted === true) return this.return().then(() => { throw new RpcAbortError() })
    try {
      this.iterator ??= this.open()[Symbol.asyncIterator]()
    } catch (err) {
      return Promise.reject(err as Error)
    }
    return this.iterator.next() as Promise<IteratorResult<T, undefined>>
  }

  async return (): Promise<IteratorResult<T, undefined>> {
    const iterator = this.iterator
    this.iterator = EXHAUSTED as AsyncIterator<T>
    await iterator?.return?.()
    return { done: true, value: undefined }
  }

  async throw (err: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return()
    throw err
  }

  [Symbol.asyncIterator] (): this {
    return this
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.return()
  }
}

/** What a stream is once returned: done at every `next()`. */
const EXHAUSTED: AsyncIterator<unknown> = {
  next: async () => ({ done: true, value: undefined })
}
