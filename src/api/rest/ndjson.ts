/**
 * Streaming answers: NDJSON, one JSON object per line, written as items
 * arrive. The status is decided by the first item, so it is read before any
 * header goes out: an error there is an ordinary `{code, message}` answer and
 * no item at all is 204 with an empty body. A failure after that can only be
 * reported in the `X-Stream-Error` trailer (always sent, empty on success, as
 * IPFS Cluster does, so clients that read it find it).
 */
import { Readable } from 'node:stream'
import { batched } from '../http/batched-stream.ts'
import type { FastifyReply } from 'fastify'
import type { Logger } from '@libp2p/logger'

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson'
export const STREAM_ERROR_TRAILER = 'X-Stream-Error'

/**
 * `toJson` shapes each item as it is written (rather than in another async
 * generator between the source and the writer: one less hop per item of a
 * million-item listing).
 */
export async function sendNdjson<T> (reply: FastifyReply, items: AsyncIterable<T>, signal: AbortSignal, log: Logger, toJson: (item: T) => unknown = (item) => item): Promise<FastifyReply> {
  return sendJsonLines(reply, items, signal, log, (item) => JSON.stringify(toJson(item)))
}

/** sendNdjson with each item's JSON text made by `json` (a serializer that knows the item's shape). */
export async function sendJsonLines<T> (reply: FastifyReply, items: AsyncIterable<T>, signal: AbortSignal, log: Logger, json: (item: T) => string): Promise<FastifyReply> {
  const iterator = items[Symbol.asyncIterator]()
  const first = await iterator.next()
  if (first.done === true) return reply.code(204).send()

  const outcome = { error: '' }
  reply.header('content-type', NDJSON_CONTENT_TYPE)
  reply.trailer(STREAM_ERROR_TRAILER, async () => outcome.error)
  const piece = (item: T): string => json(item) + '\n'
  return reply.send(Readable.from(batched(first.value, iterator, { piece, outcome, signal, log }), { objectMode: false }))
}
