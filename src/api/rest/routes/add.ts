/**
 * POST /add: a multipart upload imported by the cluster adder (see
 * src/adder), its blocks sent to the allocated peers and its root pinned.
 *
 * The query holds the pin options (pin-options.ts: name, replication...) and
 * the import options (src/adder/params.ts: chunker, cid-version, format...).
 * The answer is NDJSON with `X-Chunked-Output: 1`, one AddedOutput per file
 * and directory as it is imported (and `{name, bytes}` progress items with
 * `progress=true`); a failure after the first line is reported in the
 * `X-Stream-Error` trailer. `stream-channels=false` answers one JSON array
 * once everything is done. A bad option, a body that is not a usable
 * multipart upload or a bad CAR is a 400 before anything is pinned.
 *
 * The body is never buffered: its parser here hands the request stream on
 * untouched and the adder reads it as it imports.
 */
import { Adder, booleanParam, importParamsFromQuery, isProgress, parseMultipart } from '../../../adder/index.ts'
import { sendNdjson } from '../ndjson.ts'
import { pinOptionsFromQuery } from '../pin-options.ts'
import { queryOf } from '../query.ts'
import type { AddOutput, AddParams, AddedOutput } from '../../../adder/index.ts'
import type { RouteModule } from './context.ts'
import type { FastifyInstance } from 'fastify'

const UPLOAD_TYPES = ['multipart/form-data', 'multipart/mixed']

export const addRoutes: RouteModule = ({ rpc, signals, log }) => {
  const adder = new Adder({ rpc, log })
  return [{
    method: 'POST',
    url: '/add',
    handler: async (request, reply) => {
      const query = queryOf(request)
      const params: AddParams = { ...importParamsFromQuery(query), pin: pinOptionsFromQuery(query, Date.now()) }
      const streamChannels = booleanParam(query, 'stream-channels') ?? true
      const signal = signals.forUpload(reply)
      const files = parseMultipart(request.raw, request.headers['content-type'], { signal })
      const outputs = adder.add(files, params, { signal })
      if (!streamChannels) return await collected(outputs)
      // read before any header goes out: a failure here is an ordinary {code, message} answer
      const first = await outputs.next()
      if (first.done === true) return reply.code(204).send()
      reply.header('X-Chunked-Output', '1')
      return sendNdjson(reply, withFirst(first.value, outputs), signal, log)
    }
  }]
}

/**
 * Lets uploads through to the route as the raw request stream: fastify has
 * no multipart parser of its own (it would answer 415), and must not buffer
 * the body.
 */
export function acceptUploads (app: FastifyInstance): void {
  app.addContentTypeParser(UPLOAD_TYPES, (_request, _payload, done) => { done(null, undefined) })
}

async function collected (outputs: AsyncIterable<AddOutput>): Promise<AddedOutput[]> {
  const all: AddedOutput[] = []
  for await (const output of outputs) if (!isProgress(output)) all.push(output)
  return all
}

async function * withFirst<T> (first: T, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield first
    yield * rest
  } finally {
    await rest.return(undefined)
  }
}
