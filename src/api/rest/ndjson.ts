/**
 * Streaming answers: NDJSON, one JSON object per line, written as items
 * arrive. The status is decided by the first item, so it is read before any
 * header goes out: an error there is an ordinary `{code, message}` answer and
 * no item at all is 204 with an empty body. A failure after that can only be
 * reported in the `X-Stream-Error` trailer (always sent, empty on success, as
 * IPFS Cluster does, so clients that read it find it).
 */
import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { Logger } from '@libp2p/logger'

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson'
export const STREAM_ERROR_TRAILER = 'X-Stream-Error'

export async function sendNdjson<T> (reply: FastifyReply, items: AsyncIterable<T>, signal: AbortSignal, log: Logger): Promise<FastifyReply> {
  const iterator = items[Symbol.asyncIterator]()
  const first = await iterator.next()
  if (first.done === true) return reply.code(204).send()

  const outcome = { error: '' }
  reply.header('content-type', NDJSON_CONTENT_TYPE)
  reply.trailer(STREAM_ERROR_TRAILER, async () => outcome.error)
  return reply.send(Readable.from(lines(first.value, iterator, outcome, signal, log), { objectMode: false }))
}

/** Lines are gathered while items keep coming, up to this many characters per write. */
const BATCH_CHARS = 64 * 1024

/**
 * The answer's text: items that are ready one after the other go out in one
 * write (one HTTP chunk, not one per line), and whatever is gathered is
 * written as soon as the next item is not ready yet, so nothing waits behind
 * a slow producer.
 */
async function * lines<T> (first: T, iterator: AsyncIterator<T>, outcome: { error: string }, signal: AbortSignal, log: Logger): AsyncGenerator<string> {
  let batch = JSON.stringify(first) + '\n'
  try {
    let pending = iterator.next()
    while (true) {
      let next = await readyNow(pending)
      if (next == null) {
        if (batch !== '') yield batch
        batch = ''
        next = await pending
      }
      if (next.done === true) break
      batch += JSON.stringify(next.value) + '\n'
      pending = iterator.next()
      if (batch.length >= BATCH_CHARS) {
        yield batch
        batch = ''
      }
    }
    if (batch !== '') yield batch
  } catch (err) {
    if (batch !== '') yield batch
    // an abort is reported by its reason (the API stopping), not as the RPC layer's generic AbortError
    const cause = signal.aborted ? signal.reason : err
    outcome.error = trailerSafe(cause instanceof Error ? cause.message : String(cause))
    log('stream ended with an error: %s', outcome.error)
  } finally {
    // reached early when the client goes away: release the source
    await iterator.return?.()
  }
}

/** The promise's result if it settles before the event loop's next turn, else undefined. */
async function readyNow<R> (promise: Promise<R>): Promise<R | undefined> {
  let timer: ReturnType<typeof setImmediate> | undefined
  const turn = new Promise<undefined>((resolve) => { timer = setImmediate(resolve, undefined) })
  try {
    return await Promise.race([promise, turn])
  } finally {
    clearImmediate(timer)
  }
}

/** Header values cannot carry line breaks or other control characters. */
function trailerSafe (text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]+/g, ' ').trim()
}
