/**
 * Streamed answers (NDJSON lines, a JSON object written piece by piece, raw
 * bytes). The first piece is read before any header goes out, so an error
 * there is an ordinary Kubo error answer; a failure after that can only be
 * reported in the `X-Stream-Error` trailer, as Kubo does.
 */
import { Readable } from 'node:stream'
import { batched } from '../http/batched-stream.ts'
import type { FastifyReply } from 'fastify'
import type { Logger } from '@libp2p/logger'

export const STREAM_ERROR = 'X-Stream-Error'

export interface StreamInit {
  contentType: string
  /** Kubo's X-Chunked-Output (values, one per line) or X-Stream-Output (bytes). */
  kind: 'chunked' | 'bytes'
  signal: AbortSignal
  log: Logger
}

export async function sendStream (reply: FastifyReply, source: AsyncIterable<string | Uint8Array>, init: StreamInit): Promise<FastifyReply> {
  const iterator = source[Symbol.asyncIterator]()
  const first = await iterator.next()
  reply.header(init.kind === 'chunked' ? 'X-Chunked-Output' : 'X-Stream-Output', '1')
  reply.type(init.contentType)
  if (first.done === true) return reply.send('')
  const outcome = { error: '' }
  reply.trailer(STREAM_ERROR, async () => outcome.error)
  return reply.send(Readable.from(batched(first.value, iterator, { piece: (p) => p, outcome, signal: init.signal, log: init.log }), { objectMode: false }))
}

/** One NDJSON line. */
export function line (value: unknown): string {
  return JSON.stringify(value) + '\n'
}
