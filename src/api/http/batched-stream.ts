/**
 * The body of a streamed answer (NDJSON lines, raw bytes): text pieces that
 * are ready one after the other go out in one write (one HTTP chunk, not one
 * per line), and whatever is gathered is written as soon as the next piece
 * is not ready yet, so nothing waits behind a slow producer. Bytes go out as
 * they come. A failure ends the body and is kept in `outcome.error` for the
 * `X-Stream-Error` trailer.
 */
import type { Logger } from '@libp2p/logger'

/** Text gathered while pieces keep coming, up to this many characters per write. */
const BATCH_CHARS = 64 * 1024

export interface StreamOutcome {
  /** Empty on success; else the message for the trailer. */
  error: string
}

export interface BatchInit<T> {
  /** The text (or bytes) an item is written as. */
  piece: (item: T) => string | Uint8Array
  outcome: StreamOutcome
  signal: AbortSignal
  log: Logger
}

export async function * batched<T> (first: T, iterator: AsyncIterator<T>, init: BatchInit<T>): AsyncGenerator<string | Uint8Array> {
  let batch = ''
  const add = function * (item: T): Generator<string | Uint8Array> {
    const piece = init.piece(item)
    if (typeof piece !== 'string') {
      if (batch !== '') yield batch
      batch = ''
      yield piece
      return
    }
    batch += piece
    if (batch.length >= BATCH_CHARS) {
      yield batch
      batch = ''
    }
  }
  // one check of the event loop's next turn per turn, not per item: a listing writes a million lines
  let turn: Promise<undefined> | undefined
  let timer: ReturnType<typeof setImmediate> | undefined
  const nextTurn = (): Promise<undefined> => {
    turn ??= new Promise<undefined>((resolve) => { timer = setImmediate(() => { turn = undefined; resolve(undefined) }) })
    return turn
  }
  try {
    yield * add(first)
    let pending = iterator.next()
    while (true) {
      // the next piece if it comes before the event loop's next turn; else what is gathered goes out first
      let next = await Promise.race([pending, nextTurn()])
      if (next == null) {
        if (batch !== '') yield batch
        batch = ''
        next = await pending
      }
      if (next.done === true) break
      yield * add(next.value)
      pending = iterator.next()
    }
    if (batch !== '') yield batch
  } catch (err) {
    if (batch !== '') yield batch
    // an abort is reported by its reason (the API stopping), not as the RPC layer's generic AbortError
    const cause = init.signal.aborted ? init.signal.reason : err
    init.outcome.error = trailerSafe(cause instanceof Error ? cause.message : String(cause))
    init.log('stream ended with an error: %s', init.outcome.error)
  } finally {
    clearImmediate(timer)
    // reached early when the client goes away: release the source
    await iterator.return?.()
  }
}

/** Header values cannot carry line breaks or other control characters. */
function trailerSafe (text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]+/g, ' ').trim()
}
