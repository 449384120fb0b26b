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

async function * lines<T> (first: T, iterator: AsyncIterator<T>, outcome: { error: string }, signal: AbortSignal, log: Logger): AsyncGenerator<string> {
  try {
    yield JSON.stringify(first) + '\n'
    while (true) {
      const next = await iterator.next()
      if (next.done === true) return
      yield JSON.stringify(next.value) + '\n'
    }
  } catch (err) {
    // an abort is reported by its reason (the API stopping), not as the RPC layer's generic AbortError
    const cause = signal.aborted ? signal.reason : err
    outcome.error = trailerSafe(cause instanceof Error ? cause.message : String(cause))
    log('stream ended with an error: %s', outcome.error)
  } finally {
    // reached early when the client goes away: release the source
    await iterator.return?.()
  }
}

/** Header values cannot carry line breaks or other control characters. */
function trailerSafe (text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]+/g, ' ').trim()
}
