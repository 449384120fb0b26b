/**
 * Streamed answers (NDJSON lines, a JSON object written piece by piece, raw
 * bytes). The first piece is read before any header goes out, so an error
 * there is an ordinary Kubo error answer; a failure after that can only be
 * reported in the `X-Stream-Error` trailer, as Kubo does.
 */
import { Readable } from 'node:stream'
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
  return reply.send(Readable.from(pieces(first.value, iterator, outcome, init), { objectMode: false }))
}

/** Text gathered while pieces keep coming, up to this many characters per write. */
const BATCH_CHARS = 64 * 1024

/**
 * Text pieces that are ready one after the other go out in one write, and
 * whatever is gathered is written as soon as the next piece is not ready, so
 * nothing waits behind a slow source. Bytes go out as they come.
 */
async function * pieces (first: string | Uint8Array, iterator: AsyncIterator<string | Uint8Array>, outcome: { error: string }, init: StreamInit): AsyncGenerator<string | Uint8Array> {
  let batch = ''
  const add = function * (piece: string | Uint8Array): Generator<string | Uint8Array> {
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
  try {
    yield * add(first)
    let pending = iterator.next()
    while (true) {
      let next = await readyNow(pending)
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
    const cause = init.signal.aborted ? init.signal.reason : err
    outcome.error = trailerSafe(cause instanceof Error ? cause.message : String(cause))
    init.log('stream ended with an error: %s', outcome.error)
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

/** One NDJSON line. */
export function line (value: unknown): string {
  return JSON.stringify(value) + '\n'
}
